"""The console's account actions, each one unit of work: signing in and out, choosing one's
password, and the admins' user management with the rules a page must not hold (a role is
one of the API's roles; an admin cannot demote or disable themself). `accounts` holds the
statements; these say which transaction they run in and who may run them."""

from __future__ import annotations

import uuid

from fairmarket.catalog import accounts
from fairmarket.catalog.accounts import Account, AccountError, SignInRefused
from fairmarket.common.auth import Principal, Role
from fairmarket.common.runtime import ServiceRuntime
from fairmarket.common.web import ensure_role


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"{role!r} is not a role", field="role") from None


def demotes_self(
    actor_id: uuid.UUID, user_id: uuid.UUID, role: str | None, disabled: bool | None
) -> bool:
    """An admin changing their own account to a lesser role or disabling it: refused, so the
    console is never left without the admin who could undo it."""
    return actor_id == user_id and (disabled is True or role not in (None, Role.admin.value))


async def sign_in(
    rt: ServiceRuntime, email: str, password: str, address: str | None
) -> tuple[str, Account]:
    """A session token and its account. A refusal is raised after its unit commits: the
    failure it counted makes the next try wait longer."""
    settings = rt.settings
    async with rt.units.begin() as uow:
        try:
            return await accounts.sign_in(
                uow.conn,
                email,
                password,
                secret=settings.jwt_secret.get_secret_value(),
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                address=address,
            )
        except SignInRefused as exc:
            refused = exc
    raise refused


async def sign_out(rt: ServiceRuntime, token: str) -> None:
    async with rt.units.begin() as uow:
        await accounts.sign_out(uow.conn, token)


async def set_password(rt: ServiceRuntime, user_id: uuid.UUID, password: str, again: str) -> None:
    """One's own new password, typed twice alike."""
    if password != again:
        raise AccountError("the two passwords differ", field="password_again")
    async with rt.units.begin() as uow:
        await accounts.set_password(uow.conn, user_id, password)


async def add_user(
    rt: ServiceRuntime, principal: Principal, email: str, role: str
) -> tuple[str, str]:
    """(the account's email as stored, its one-time password, to be shown once)."""
    ensure_role(principal, Role.admin)
    checked = _role(role)
    async with rt.units.begin() as uow:
        _, password = await accounts.add_user(uow.conn, email, checked)
    return accounts.normalize_email(email), password


async def change_user(
    rt: ServiceRuntime,
    principal: Principal,
    actor_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    role: str | None,
    disabled: bool | None,
) -> None:
    """A new role or a disabling (which ends the person's sessions), by `actor_id`, an admin."""
    ensure_role(principal, Role.admin)
    if demotes_self(actor_id, user_id, role, disabled):
        raise AccountError("an admin cannot demote or disable themself")
    checked = _role(role) if role else None
    async with rt.units.begin() as uow:
        await accounts.change(uow.conn, user_id, role=checked, disabled=disabled)
