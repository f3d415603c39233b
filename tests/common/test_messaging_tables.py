"""Every service's migrations create the outbox and inbox that tables.py declares, and its
application code uses: one definition, checked against what PostgreSQL actually holds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from fairmarket.cli.services import SERVICES, spec
from fairmarket.common.tables import add_messaging_tables

pytestmark = pytest.mark.integration


def shape(inspector: Any, table: str, schema: str) -> dict[str, Any]:
    return {
        "columns": [
            (c["name"], str(c["type"]), c["nullable"], (c["default"] or "").replace(schema, "S"))
            for c in inspector.get_columns(table, schema=schema)
        ],
        "primary_key": inspector.get_pk_constraint(table, schema=schema)["constrained_columns"],
        "unique": sorted(
            tuple(u["column_names"]) for u in inspector.get_unique_constraints(table, schema=schema)
        ),
        "indexes": sorted(
            (i["name"], tuple(i["column_names"]), i["dialect_options"].get("postgresql_where"))
            for i in inspector.get_indexes(table, schema=schema)
        ),
    }


async def test_each_service_schema_holds_the_one_outbox_and_inbox(migrated_db: str) -> None:
    engine = create_async_engine(migrated_db)
    try:
        async with engine.connect() as conn:
            schemas = [spec(s).schema for s in SERVICES]
            shapes = await conn.run_sync(
                lambda sync: {
                    (schema, table): shape(inspect(sync), table, schema)
                    for schema in schemas
                    for table in ("outbox", "inbox")
                }
            )
    finally:
        await engine.dispose()
    declared_outbox, declared_inbox = add_messaging_tables(MetaData(schema="x"))
    for (schema, table), found in shapes.items():
        declared = declared_outbox if table == "outbox" else declared_inbox
        assert [c[0] for c in found["columns"]] == [c.name for c in declared.columns], schema
        assert found == shapes[(schemas[0], table)], f"{schema}.{table} differs"
    outbox = shapes[(schemas[0], "outbox")]
    assert outbox["unique"] == [("event_id",)]
    assert ("ix_outbox_unsent", ("id",), "(sent_at IS NULL)") in outbox["indexes"]
    assert shapes[(schemas[0], "inbox")]["primary_key"] == ["consumer", "event_id"]
