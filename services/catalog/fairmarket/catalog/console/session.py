"""Who is signed in (an HttpOnly SameSite cookie holding a session token with the API's
claims) and the CSRF check every state-changing form passes."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from fairmarket.catalog import accounts
from fairmarket.catalog.accounts import Account
from fairmarket.common.auth import AuthError, Principal, Role, verify_token
from fairmarket.common.web import ensure_role

SESSION_COOKIE = "fm_session"
CSRF_COOKIE = "fm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInNeeded(Exception):
    """Answered with a redirect to the sign-in page, coming back here afterwards."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class PasswordChangeNeeded(Exception):
    """A one-time password was used: the person picks their own before anything else."""


def secure(request: Request) -> bool:
    """Cookies are Secure under HTTPS (directly, or behind a proxy that says so)."""
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip() == "https"


def csrf_value(request: Request) -> str:
    """The CSRF token for this browser: its cookie's, or a new one the page response sets."""
    if token := getattr(request.state, "csrf", None):
        return token
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf = token
    return token


def set_cookie(request: Request, response: object, name: str, value: str, max_age: int) -> None:
    response.set_cookie(  # type: ignore[attr-defined]
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict" if name == CSRF_COOKIE else "lax",
        secure=secure(request),
        path="/console",
    )


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token (field or header) matches the browser's cookie
    (double submit: another site can neither read nor set that cookie)."""
    form = await request.form(max_files=20, max_fields=200)
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


async def _account(request: Request) -> tuple[Account, str] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings = request.app.state.settings
    try:
        principal = verify_token(
            token,
            settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
    except AuthError:
        return None
    async with request.app.state.runtime.engine.connect() as conn:
        account = await accounts.session_account(conn, token, principal.role)
    return (account, token) if account else None


class Person:
    """The signed-in account, its principal for the service functions, and its token for
    the intake's API (the same claims an API token carries)."""

    def __init__(self, account: Account, token: str) -> None:
        self.account, self.token = account, token
        self.principal = Principal(subject=account.email, role=account.role)

    def may(self, role: Role | str) -> bool:
        return self.principal.may(Role(role))


def signed_in(role: Role, *, allow_password_change: bool = False):  # type: ignore[no-untyped-def]
    """A dependency: the person, signed in with at least `role` (403 otherwise)."""

    async def dependency(request: Request) -> Person:
        found = await _account(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInNeeded(quote(target, safe="/?=&"))
        person = Person(*found)
        if person.account.must_change_password and not allow_password_change:
            raise PasswordChangeNeeded()
        ensure_role(person.principal, role)
        return person

    return dependency


ViewerPerson = Annotated[Person, Depends(signed_in(Role.viewer))]
StaffPerson = Annotated[Person, Depends(signed_in(Role.staff))]
AdminPerson = Annotated[Person, Depends(signed_in(Role.admin))]
AnyPerson = Annotated[Person, Depends(signed_in(Role.viewer, allow_password_change=True))]
