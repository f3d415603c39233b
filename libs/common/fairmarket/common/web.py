"""The FastAPI app factory: health, readiness, metrics, auth and one error shape."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from fairmarket.common.asyncapi import asyncapi
from fairmarket.common.auth import AuthError, Principal, Role, verify_token
from fairmarket.common.limits import BodyLimit
from fairmarket.common.metrics import HTTP_LATENCY, HTTP_REQUESTS
from fairmarket.common.tracing import configure_tracing, instrument_fastapi

ReadinessCheck = Callable[[], Awaitable[None]]


class ErrorBody(BaseModel):
    """Every 4xx and 5xx of every service has this shape."""

    error: str = Field(description="a stable code: not_found, invalid, forbidden, conflict, ...")
    reason: str = Field(description="what was wrong, for a person")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="each invalid field (422): loc, msg, type"
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Missing or invalid bearer token"),
        (403, "The token's role may not do this"),
        (404, "Not found"),
        (409, "Conflict with the current state"),
        (413, "Body too large"),
        (422, "Invalid body or parameters"),
    )
}


def error_body(status: int, reason: str, **extra: Any) -> dict[str, Any]:
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        408: "timeout",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        422: "invalid",
        429: "rate_limited",
        500: "internal",
        503: "unavailable",
    }
    return {"error": codes.get(status, "error"), "reason": reason, **extra}


_bearer = HTTPBearer(auto_error=False)


def ensure_role(principal: Principal, needed: Role) -> None:
    """403 unless `principal` holds at least `needed`: the one reason the API's token check,
    the service layer and the console all give."""
    if not principal.may(needed):
        raise HTTPException(
            403, f"role {principal.role.value} may not do this; needs {needed.value}"
        )


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits a valid token whose role is at least `role`."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        settings = request.app.state.settings
        try:
            principal = verify_token(
                credentials.credentials,
                settings.jwt_secret.get_secret_value(),
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            )
        except AuthError as exc:
            raise HTTPException(
                401, f"invalid token: {exc}", headers={"WWW-Authenticate": "Bearer"}
            ) from exc
        ensure_role(principal, role)
        return principal

    return dependency


Viewer = Annotated[Principal, Depends(require(Role.viewer))]
Staff = Annotated[Principal, Depends(require(Role.staff))]
Admin = Annotated[Principal, Depends(require(Role.admin))]


class HttpMetrics:
    """Requests and latency per route template, as pure ASGI middleware (BaseHTTPMiddleware
    costs a task and a stream per request)."""

    def __init__(self, app: Any, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_LATENCY.labels(self.service, method, template).observe(
                time.perf_counter() - started
            )
            HTTP_REQUESTS.labels(self.service, method, template, f"{status // 100}xx").inc()


def create_app(
    *,
    service: str,
    settings: Any,
    routers: Sequence[APIRouter],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    readiness: Sequence[ReadinessCheck] = (),
    version: str = "0.1.0",
    topics: tuple[Sequence[Any], Sequence[Any]] | None = None,
    larger_bodies: dict[str, int] | None = None,
) -> FastAPI:
    """`topics`: the event models the service (consumes, produces), served as AsyncAPI."""
    app = FastAPIOffline(  # Swagger UI and ReDoc from the package's files: no CDN
        title=f"fairmarket {service}",
        version=version,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,  # documents the one error shape (and replaces FastAPI's 422)
        # no trailing-slash redirect: it echoed the Host header into its Location
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.readiness = list(readiness)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=larger_bodies)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        failures = {}
        for check in request.app.state.readiness:
            try:
                await check()
            except Exception as exc:
                failures[getattr(check, "__name__", "check")] = repr(exc)[:200]
        if failures:
            return JSONResponse({"status": "unready", "failures": failures}, status_code=503)
        return JSONResponse({"status": "ready", "service": service})

    if topics is not None:
        document = asyncapi(service, consumes=topics[0], produces=topics[1], version=version)

        @app.get("/asyncapi.json", include_in_schema=False)
        async def asyncapi_json() -> JSONResponse:
            return JSONResponse(document)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    if configure_tracing(service):
        instrument_fastapi(app)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(exc.status_code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        reason = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        return JSONResponse(error_body(422, reason, details=details), status_code=422)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        """Whatever went wrong, the caller gets the one shape (the trace goes to the log);
        a 5xx is still a bug to fix, and the fuzz tests look for every one."""
        return JSONResponse(
            error_body(500, "internal error; the request was not completed"), status_code=500
        )

    app.add_middleware(HttpMetrics, service=service)

    return app
