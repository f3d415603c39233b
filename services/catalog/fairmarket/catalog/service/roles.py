"""The role an action needs, checked where the action is, whoever calls it."""

from __future__ import annotations

from fastapi import HTTPException

from fairmarket.common.auth import Principal, Role


def ensure(principal: Principal, needed: Role) -> None:
    """403 with the reason the API's token check gives."""
    if not principal.may(needed):
        raise HTTPException(
            403, f"role {principal.role.value} may not do this; needs {needed.value}"
        )
