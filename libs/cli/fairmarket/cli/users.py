"""`fairmarket user add EMAIL --role ...`: console accounts, straight in the catalog's tables.

The first admin has no one to add them, so this is how a shop starts; the password it
prints is one-time: the console asks for a new one at the first sign-in.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

app = typer.Typer(help="Console accounts: people sign in to /console on the catalog.")

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/fairmarket"


async def add_user(database_url: str, email: str, role: str, password: str | None = None) -> str:
    """The account's password (generated when none is given)."""
    from fairmarket.catalog import accounts
    from fairmarket.catalog.db import SCHEMA
    from fairmarket.common.db import make_engine

    engine = make_engine(database_url, schema=SCHEMA, pool_size=1)
    try:
        async with engine.begin() as conn:
            _, password = await accounts.add_user(conn, email, role, password)
    finally:
        await engine.dispose()
    return password


async def demo_sign_in(database_url: str, email: str = "admin@demo.local") -> str:
    """A fresh password for the demo's admin account, created the first time."""
    from sqlalchemy import select

    from fairmarket.catalog import accounts
    from fairmarket.catalog.db import SCHEMA, users
    from fairmarket.common.db import make_engine

    engine = make_engine(database_url, schema=SCHEMA, pool_size=1)
    password = accounts.generated_password()
    try:
        async with engine.begin() as conn:
            user_id = await conn.scalar(select(users.c.id).where(users.c.email == email))
            if user_id is None:
                await accounts.add_user(conn, email, "admin", password)
            else:
                await accounts.set_password(conn, user_id, password)
                await accounts.change(conn, user_id, role="admin", disabled=False)
    finally:
        await engine.dispose()
    return password


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="the person's email, their sign-in name")],
    role: Annotated[str, typer.Option(help="admin, staff or viewer")] = "staff",
    database_url: Annotated[str | None, typer.Option(envvar="FAIRMARKET_DATABASE_URL")] = None,
) -> None:
    """Add an account; prints its one-time password."""
    from fairmarket.catalog.accounts import AccountError
    from fairmarket.common.auth import Role

    try:
        Role(role)
    except ValueError as exc:
        raise typer.BadParameter(f"unknown role {role!r}; admin, staff or viewer") from exc
    from sqlalchemy.exc import DBAPIError

    try:
        password = asyncio.run(add_user(database_url or DEFAULT_URL, email, role))
    except AccountError as exc:
        typer.echo(f"not added: {exc.reason}", err=True)
        raise typer.Exit(1) from exc
    except (DBAPIError, OSError) as exc:  # no database there, or not migrated
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        typer.echo(
            f"not added: the database cannot take it ({reason}); is FAIRMARKET_DATABASE_URL "
            "right, and has `fairmarket migrate` run?",
            err=True,
        )
        raise typer.Exit(1) from exc
    typer.echo(f"added {email.strip().lower()} ({role})")
    typer.echo(f"one-time password: {password}")
    typer.echo("sign in at <catalog>/console/sign-in; the console then asks for a new password")
