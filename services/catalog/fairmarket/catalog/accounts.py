"""People who sign in to the console: argon2 password hashes, roles, disabling, sign-in
sessions and the slowing down of repeated failures. Machines keep using API tokens."""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.catalog.db import sessions, sign_in_addresses, users
from fairmarket.catalog.domain.sign_in_throttle import (
    ADDRESS_FORGET_AFTER,
    address_retry_in,
    retry_in,
)
from fairmarket.common.auth import Role, issue_token

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# verifying against this when the email is unknown makes both answers take as long
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
SESSION_TTL = timedelta(hours=12)
MIN_PASSWORD = 10


class AccountError(Exception):
    """A refusal with the reason to show; `status` is the HTTP status the API would use."""

    def __init__(self, reason: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.field = reason, status, field


class SignInRefused(AccountError):
    def __init__(self, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason, status=429 if retry_after else 401)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str
    role: Role
    must_change_password: bool


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not 3 <= len(email) <= 320 or "@" not in email[1:-1]:
        raise AccountError(f"{email!r} is not an email address", field="email")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters", field="password")


def generated_password() -> str:
    return secrets.token_urlsafe(12)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_user(
    conn: AsyncConnection, email: str, role: Role | str, password: str | None = None
) -> tuple[uuid.UUID, str]:
    """A new account; without a password, a generated one the person must change at their
    first sign-in (returned, to be shown once)."""
    email, role = normalize_email(email), Role(role)
    one_time = password is None
    password = generated_password() if password is None else password
    check_password(password)
    user_id = uuid.uuid4()
    try:
        async with conn.begin_nested():
            await conn.execute(
                users.insert().values(
                    id=user_id,
                    email=email,
                    role=role.value,
                    password_hash=HASHER.hash(password),
                    must_change_password=one_time,
                )
            )
    except IntegrityError as exc:
        raise AccountError(f"{email} has an account already", 409, "email") from exc
    return user_id, password


async def list_users(conn: AsyncConnection) -> list[Any]:
    return list((await conn.execute(select(users).order_by(users.c.email))).all())


async def change(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    role: Role | str | None = None,
    disabled: bool | None = None,
) -> None:
    """A new role or a disabling ends the person's sessions: the cookie's claims must match."""
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = Role(role).value
    if disabled is not None:
        values["disabled"] = disabled
    if not values:
        return
    done = await conn.execute(
        update(users).where(users.c.id == user_id).values(**values, updated_at=func.now())
    )
    if not done.rowcount:
        raise AccountError(f"user {user_id} not found", 404)
    await conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


async def set_password(conn: AsyncConnection, user_id: uuid.UUID, password: str) -> None:
    check_password(password)
    await conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(
            password_hash=HASHER.hash(password), must_change_password=False, updated_at=func.now()
        )
    )


async def sign_in(
    conn: AsyncConnection,
    email: str,
    password: str,
    *,
    secret: str,
    issuer: str = "fairmarket",
    audience: str = "fairmarket",
    now: datetime | None = None,
    address: str | None = None,
) -> tuple[str, Account]:
    """A session token (a JWT with the claims the API checks) for a right password; after a
    few wrong ones in a row, for the account or from the client `address`, each further try
    waits longer (429 with the seconds to wait). The caller commits even when this raises:
    a failure is counted."""
    now = now or datetime.now(UTC)
    if address is not None:
        await _address_wait(conn, address, now)
    try:
        email = normalize_email(email)
    except AccountError:
        await _address_failed(conn, address, now)
        raise SignInRefused("wrong email or password") from None
    row = (
        await conn.execute(select(users).where(users.c.email == email).with_for_update())
    ).one_or_none()
    if row is None:
        _verify(_DUMMY_HASH, password)
        await _address_failed(conn, address, now)
        raise SignInRefused("wrong email or password")
    wait = retry_in(row.failed_sign_ins, row.last_failed_at, now)
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        raise SignInRefused(
            f"too many failed sign-ins: try again in {seconds} s", retry_after=seconds
        )
    if not _verify(row.password_hash, password):
        await conn.execute(
            update(users)
            .where(users.c.id == row.id)
            .values(failed_sign_ins=users.c.failed_sign_ins + 1, last_failed_at=now)
        )
        await _address_failed(conn, address, now)
        raise SignInRefused("wrong email or password")
    if row.disabled:
        raise SignInRefused("this account is disabled: ask an admin")
    values: dict[str, Any] = {"failed_sign_ins": 0, "last_failed_at": None}
    if HASHER.check_needs_rehash(row.password_hash):
        values["password_hash"] = HASHER.hash(password)
    await conn.execute(update(users).where(users.c.id == row.id).values(**values))
    token = issue_token(
        secret, row.role, subject=row.email, ttl=SESSION_TTL, issuer=issuer, audience=audience
    )
    await conn.execute(delete(sessions).where(sessions.c.expires_at < now))  # tidy as we go
    await conn.execute(
        sessions.insert().values(
            token_sha256=token_digest(token), user_id=row.id, expires_at=now + SESSION_TTL
        )
    )
    return token, Account(row.id, row.email, Role(row.role), row.must_change_password)


async def _address_wait(conn: AsyncConnection, address: str, now: datetime) -> None:
    row = (
        await conn.execute(
            select(sign_in_addresses).where(sign_in_addresses.c.address == address[:64])
        )
    ).one_or_none()
    if row is None:
        return
    wait = address_retry_in(row.failures, row.last_failed_at, now)
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        raise SignInRefused(
            f"too many failed sign-ins from this address: try again in {seconds} s",
            retry_after=seconds,
        )


async def _address_failed(conn: AsyncConnection, address: str | None, now: datetime) -> None:
    """One more failure from the address (a count after a quiet hour starts again)."""
    if address is None:
        return
    table = sign_in_addresses
    stale = table.c.last_failed_at <= now - ADDRESS_FORGET_AFTER
    await conn.execute(
        insert(table)
        .values(address=address[:64], failures=1, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.address],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failed_at": now,
            },
        )
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def session_account(conn: AsyncConnection, token: str, role: Role) -> Account | None:
    """The account of a live session whose token carries the account's current role."""
    row = (
        await conn.execute(
            select(users.c.id, users.c.email, users.c.role, users.c.must_change_password)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(
                sessions.c.token_sha256 == token_digest(token),
                sessions.c.expires_at > func.now(),
                users.c.disabled.is_(False),
                users.c.role == role.value,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return Account(row.id, row.email, Role(row.role), row.must_change_password)


async def sign_out(conn: AsyncConnection, token: str) -> None:
    await conn.execute(delete(sessions).where(sessions.c.token_sha256 == token_digest(token)))
