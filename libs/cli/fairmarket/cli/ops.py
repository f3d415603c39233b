"""Operational commands: run a service, migrate, issue tokens, write schemas."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from fairmarket.cli.services import DEFAULT_PORTS, SERVICES, spec
from fairmarket.common.settings import read_secret_file


def _secret(data_dir: Path | None) -> str:
    """The JWT secret as the services read it (the environment, then the file it names),
    else the all-in-one stack's data dir."""
    if env := os.environ.get("FAIRMARKET_JWT_SECRET"):
        return env
    if named := os.environ.get("FAIRMARKET_JWT_SECRET_FILE"):
        try:
            return read_secret_file(Path(named), "FAIRMARKET_JWT_SECRET_FILE")
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    directory = data_dir or Path(os.environ.get("FAIRMARKET_DATA_DIR", ".fairmarket"))
    path = directory / "jwt.secret"
    if path.exists():
        return path.read_text().strip()
    raise typer.BadParameter(
        f"no FAIRMARKET_JWT_SECRET and no {path}; run `fairmarket up` first or set the secret"
    )


def service(
    name: Annotated[str, typer.Argument(help=f"one of {', '.join(SERVICES)}")],
    port: Annotated[int | None, typer.Option(help="HTTP port (default per service)")] = None,
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
) -> None:
    """Run one service: its REST API, Kafka consumers and outbox relay."""
    import uvicorn

    from fairmarket.common.limits import guarded_protocol

    try:
        svc = spec(name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    os.environ.setdefault("FAIRMARKET_PORT", str(DEFAULT_PORTS[name]))
    app = svc.create_app()
    settings = app.state.settings
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
        http=guarded_protocol(settings.header_timeout_seconds, settings.body_timeout_seconds),
    )


def migrate(
    only: Annotated[list[str] | None, typer.Option("--service", help="only these services")] = None,
    database_url: Annotated[str | None, typer.Option(envvar="FAIRMARKET_DATABASE_URL")] = None,
) -> None:
    """Apply every service's Alembic migrations (each in its own schema)."""
    from fairmarket.common.migrations import upgrade

    url = database_url or "postgresql+asyncpg://postgres@127.0.0.1:5432/fairmarket"
    for name in only or SERVICES:
        svc = spec(name)
        upgrade(svc.migrations_dir, url, svc.schema)
        typer.echo(f"migrated {name} (schema {svc.schema})")


def token(
    role: Annotated[str, typer.Option(help="admin, staff or viewer")] = "admin",
    subject: Annotated[str, typer.Option(help="who the token is for")] = "admin",
    ttl_days: Annotated[int, typer.Option(min=1, max=3650)] = 30,
    data_dir: Annotated[Path | None, typer.Option(help="the all-in-one stack's data dir")] = None,
) -> None:
    """Issue a JWT for the REST APIs."""
    from fairmarket.common.auth import Role, issue_token

    try:
        Role(role)
    except ValueError as exc:
        raise typer.BadParameter(f"unknown role {role!r}; admin, staff or viewer") from exc
    typer.echo(issue_token(_secret(data_dir), role, subject=subject, ttl=timedelta(days=ttl_days)))


def schemas(
    out: Annotated[Path, typer.Option(help="where to write the JSON Schemas")] = Path("schemas"),
    check: Annotated[bool, typer.Option(help="fail if the files differ from the models")] = False,
) -> None:
    """Write (or check) the JSON Schema of every event."""
    from fairmarket.common.schemas import render_schemas

    rendered = render_schemas()
    stale = [
        n for n, text in rendered.items() if not (out / n).exists() or (out / n).read_text() != text
    ]
    if check:
        if stale:
            typer.echo(
                f"schemas out of date: {', '.join(stale)}; run `fairmarket schemas`", err=True
            )
            raise typer.Exit(1)
        typer.echo("schemas up to date")
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (out / name).write_text(text)
    typer.echo(f"wrote {len(rendered)} schemas to {out}")


def asyncapi(
    out: Annotated[
        Path | None, typer.Option(help="a directory for <service>.json; stdout when omitted")
    ] = None,
    name: Annotated[str | None, typer.Option("--service", help="one service only")] = None,
) -> None:
    """Write each service's AsyncAPI document (also served at /asyncapi.json)."""
    import importlib
    import json

    from fairmarket.common.asyncapi import asyncapi as document

    chosen = [name] if name else list(SERVICES)
    docs = {}
    for svc in chosen:
        if svc not in SERVICES:
            raise typer.BadParameter(f"unknown service {svc!r}")
        topics = importlib.import_module(f"fairmarket.{svc}.topics")
        docs[svc] = document(svc, consumes=topics.CONSUMES, produces=topics.PRODUCES)
    if out is None:
        typer.echo(json.dumps(docs if len(docs) > 1 else docs[chosen[0]], indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for svc, doc in docs.items():
        (out / f"{svc}.json").write_text(json.dumps(doc, indent=2) + "\n")
    typer.echo(f"wrote {len(docs)} AsyncAPI documents to {out}")


def register(app: typer.Typer) -> None:
    app.command()(service)
    app.command()(migrate)
    app.command()(token)
    app.command()(schemas)
    app.command()(asyncapi)
