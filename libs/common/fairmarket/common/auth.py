"""JWT bearer auth: every service verifies tokens with the shared secret."""

from __future__ import annotations

import enum
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt


class Role(enum.StrEnum):
    viewer = "viewer"
    staff = "staff"
    admin = "admin"


_RANK = {Role.viewer: 0, Role.staff: 1, Role.admin: 2}


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role

    def may(self, needed: Role) -> bool:
        """Roles are ordered: admin may do what staff may, staff what viewer may."""
        return _RANK[self.role] >= _RANK[needed]


class AuthError(Exception):
    """The token is missing, malformed, expired, or signed with another key."""


ALGORITHM = "HS256"


def issue_token(
    secret: str,
    role: Role | str,
    *,
    subject: str = "admin",
    ttl: timedelta = timedelta(days=30),
    issuer: str = "fairmarket",
    audience: str = "fairmarket",
) -> str:
    role = Role(role)
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "role": role.value,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


_VERIFIED: dict[tuple[str, str, str, str], tuple[Principal, float]] = {}
_VERIFIED_MAX = 4096


def verify_token(
    token: str, secret: str, *, issuer: str = "fairmarket", audience: str = "fairmarket"
) -> Principal:
    """A token's principal; a token already verified is trusted until its expiry (the
    signature cannot change), which spares the HMAC and claim checks on every request."""
    key = (token, secret, issuer, audience)
    if (hit := _VERIFIED.get(key)) is not None and time.time() < hit[1]:
        return hit[0]
    principal, expires = _verify(token, secret, issuer=issuer, audience=audience)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (principal, expires)
    return principal


def _verify(token: str, secret: str, *, issuer: str, audience: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={"require": ["exp", "iss", "aud", "sub", "role"]},
        )
    except jwt.PyJWTError as exc:
        raise AuthError(str(exc)) from exc
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise AuthError(f"unknown role {claims['role']!r}") from exc
    return Principal(subject=str(claims["sub"]), role=role), float(claims["exp"])
