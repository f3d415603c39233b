"""Mounting the console on the catalog's app: routes, static files, its error pages."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from fairmarket.catalog.console import (
    account_pages,
    admin_pages,
    intake_pages,
    item_pages,
    product_pages,
)
from fairmarket.catalog.console.intake_client import IntakeClient
from fairmarket.catalog.console.render import HERE, page
from fairmarket.catalog.console.session import PasswordChangeNeeded, SignInNeeded

ROUTERS = [
    account_pages.router,
    item_pages.router,
    intake_pages.router,
    product_pages.router,
    admin_pages.router,
]
UPLOAD_PATH = r"/console/take-in"  # photos: the body limit there is the intake's photo limit


def install(app: FastAPI, settings: Any, client: httpx.AsyncClient) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.state.intake = IntakeClient(settings.intake_url, client)
    api_errors = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Any) -> Response:
        """Console pages answer errors with a page; the API keeps its JSON error shape."""
        if not request.url.path.startswith("/console") or request.url.path.startswith(
            "/console/static"
        ):
            return await api_errors(request, exc)
        context = {"status": exc.status_code, "reason": str(exc.detail), "person": None}
        return page(request, "error.html", context, exc.status_code)

    async def sign_in_needed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInNeeded)
        return RedirectResponse(f"/console/sign-in?next={exc.next_url}", status_code=303)

    async def password_change(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/console/password", status_code=303)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(SignInNeeded, sign_in_needed)
    app.add_exception_handler(PasswordChangeNeeded, password_change)
