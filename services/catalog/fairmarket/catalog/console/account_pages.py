"""Signing in and out, changing one's password, and the admins' user management."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from fairmarket.catalog import accounts
from fairmarket.catalog.console.render import page
from fairmarket.catalog.console.session import (
    SESSION_COOKIE,
    AdminPerson,
    AnyPerson,
    CheckedForm,
    set_cookie,
)
from fairmarket.catalog.service import accounts as accounts_service
from fairmarket.common.auth import Role

router = APIRouter(prefix="/console")


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never another site (an open redirect)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console/items"


@router.get("/sign-in", include_in_schema=False)
async def sign_in_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return page(request, "sign_in.html", {"next": _safe_next(next), "errors": {}})


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request, form: CheckedForm) -> Response:
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    address = request.client.host if request.client else None
    try:
        token, account = await accounts_service.sign_in(
            request.app.state.runtime, email, password, address
        )
    except accounts.SignInRefused as exc:
        response = page(
            request,
            "sign_in.html",
            {"next": target, "email": email, "errors": {"form": exc.reason}},
            status_code=exc.status,
        )
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if account.must_change_password:
        target = "/console/password"
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(accounts.SESSION_TTL.total_seconds()))
    return response


@router.post("/sign-out", include_in_schema=False)
async def sign_out(request: Request, form: CheckedForm) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        await accounts_service.sign_out(request.app.state.runtime, token)
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/password", include_in_schema=False)
async def password_page(request: Request, person: AnyPerson) -> Response:
    return page(request, "password.html", {"person": person, "errors": {}})


@router.post("/password", include_in_schema=False)
async def change_password(request: Request, person: AnyPerson, form: CheckedForm) -> Response:
    password, again = str(form.get("password", "")), str(form.get("password_again", ""))
    try:
        await accounts_service.set_password(
            request.app.state.runtime, person.account.id, password, again
        )
    except accounts.AccountError as exc:
        errors = {exc.field or "password": exc.reason}
        return page(request, "password.html", {"person": person, "errors": errors}, 422)
    return RedirectResponse("/console/items", status_code=303)


async def _users_page(
    request: Request, person: AdminPerson, errors: dict[str, str], **extra: object
) -> Response:
    async with request.app.state.runtime.reader.connect() as conn:
        people = await accounts.list_users(conn)
    status = 422 if errors else 200
    context = {"person": person, "users": people, "roles": list(Role), "errors": errors, **extra}
    return page(request, "users.html", context, status)


@router.get("/users", include_in_schema=False)
async def users_page(request: Request, person: AdminPerson) -> Response:
    return await _users_page(request, person, {})


@router.post("/users", include_in_schema=False)
async def add_user(request: Request, person: AdminPerson, form: CheckedForm) -> Response:
    email, role = str(form.get("email", "")), str(form.get("role", ""))
    try:
        stored, password = await accounts_service.add_user(
            request.app.state.runtime, person.principal, email, role
        )
    except accounts.AccountError as exc:
        return await _users_page(request, person, {exc.field or "email": exc.reason}, email=email)
    return await _users_page(request, person, {}, created=(stored, password))


@router.post("/users/{user_id}", include_in_schema=False)
async def change_user(
    request: Request, user_id: uuid.UUID, person: AdminPerson, form: CheckedForm
) -> Response:
    role, disabled = form.get("role"), form.get("disabled")
    try:
        await accounts_service.change_user(
            request.app.state.runtime,
            person.principal,
            person.account.id,
            user_id,
            role=None if role is None else str(role),
            disabled=None if disabled is None else disabled == "true",
        )
    except accounts.AccountError as exc:
        return await _users_page(request, person, {"form": exc.reason})
    return RedirectResponse("/console/users", status_code=303)
