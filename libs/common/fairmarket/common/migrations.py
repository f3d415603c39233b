"""Alembic per service schema, each with its own version table (../shared/ENGINEERING.md),
and the outbox and inbox tables every service's first migration creates from tables.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from fairmarket.common.tables import add_messaging_tables


def alembic_config(migrations_dir: Path, database_url: str, schema: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["schema"] = schema
    return cfg


def upgrade(migrations_dir: Path, database_url: str, schema: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url, schema), revision)


def run_env(context: object, metadata: MetaData, schema: str) -> None:
    """The body of every service's migrations/env.py (online mode, asyncpg)."""
    from alembic import context as ctx

    url = ctx.config.get_main_option("sqlalchemy.url")
    assert url

    def include_object(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        if type_ == "table":
            return getattr(obj, "schema", None) == schema
        return True

    def do_run(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        ctx.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_object=include_object,
        )
        with ctx.begin_transaction():
            ctx.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())


def create_messaging_tables(schema: str) -> None:
    """In a migration: create `outbox` and `inbox` (with the unsent-rows index) in `schema`
    exactly as tables.py declares them, the one definition every service uses."""
    from alembic import op

    outbox, inbox = add_messaging_tables(MetaData(schema=schema))
    for table in (inbox, outbox):
        table.create(op.get_bind())


def drop_messaging_tables(schema: str) -> None:
    """In a migration's downgrade: drop what `create_messaging_tables` created."""
    from alembic import op

    outbox, inbox = add_messaging_tables(MetaData(schema=schema))
    for table in (outbox, inbox):
        table.drop(op.get_bind())
