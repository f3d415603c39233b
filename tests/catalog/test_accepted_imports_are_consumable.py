"""Whatever the CSV import accepts is stored by the collector, then by the catalog's and the
valuation's consumers, and valued: a property over generated rows, hostile cells among them
(issue 17; see accepted_inputs_support)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from accepted_inputs_support import (
    GOOD_URL,
    NUMBER,
    PROPERTY,
    TEXT,
    URL,
    rolled_back,
    skips,
)
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.consumers import CatalogHandlers
from fairmarket.catalog.db import outbox
from fairmarket.collector.db import jobs
from fairmarket.collector.imports import ImportRefused, store_import
from fairmarket.common import comps_csv
from fairmarket.common.events import PricePointCollected
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.money import Rates
from fairmarket.common.uow import UnitOfWork
from fairmarket.valuation.domain import value_frame
from fairmarket.valuation.revalue import load_frames_many
from fairmarket.valuation.store import save_comps

pytestmark = pytest.mark.integration


GOOD_CELLS = {
    "title": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1),
    "price": st.decimals(0, 10**6, places=2).map(str),
    "currency": st.sampled_from(["USD", "EUR", "GBP"]),
    "date": st.dates(datetime(1900, 1, 1).date(), datetime(2026, 1, 1).date()).map(str),
    "url": st.one_of(st.just(""), GOOD_URL),
    "source": st.sampled_from(["", "ebay", "heritage", "manual"]),
    "bids": st.one_of(st.just(""), st.integers(0, 2**31 - 1).map(str)),
    "quantity": st.one_of(st.just(""), st.integers(1, 2**31 - 1).map(str)),
    "grade": st.sampled_from(["", "MS63", "VG+"]),
    "condition": st.sampled_from(["", "used"]),
    "shipping": st.one_of(st.just(""), st.decimals(0, 1000, places=2).map(str)),
}
BAD_CELLS = {
    "title": TEXT,
    "price": NUMBER.map(str),
    "currency": st.sampled_from(["XXX", "usd", "U$D", ""]),
    "date": st.one_of(
        st.sampled_from(["0001-01-01", "9999-12-31T23:59:59-12:00", "1899-12-31", "2099-01-01"]),
        st.dates().map(str),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    ),
    "url": URL,
    "source": TEXT,
    "bids": NUMBER.map(str),
    "quantity": NUMBER.map(str),
    "grade": TEXT,
    "condition": TEXT,
    "shipping": NUMBER.map(str),
}
CELLS = GOOD_CELLS


@st.composite
def poisoned_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Valid rows, one cell of one of them (most times) drawn from the hostile values."""
    rows = draw(st.lists(st.fixed_dictionaries(GOOD_CELLS), min_size=1, max_size=3))
    if draw(st.integers(0, 3)):
        row, cell = draw(st.sampled_from(range(len(rows)))), draw(st.sampled_from(list(BAD_CELLS)))
        rows[row][cell] = draw(BAD_CELLS[cell])
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CELLS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def test_every_accepted_import_is_stored_and_valued_downstream(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)
    handlers = CatalogHandlers()

    @PROPERTY
    @given(rows=poisoned_rows())
    def prop(rows: list[dict[str, str]]) -> None:
        item_id = uuid.uuid4()
        parsed = comps_csv.parse(_csv(rows), item_id=item_id)
        if not parsed.ok:
            return
        before = skips()

        async def check(conn: AsyncConnection) -> None:
            await conn.execute(
                jobs.insert().values(
                    request_id=uuid.uuid4(),
                    run_id=uuid.uuid4(),
                    item_id=item_id,
                    revision=1,
                    source="ebay",
                    adapter="ebay",
                    request={"category": "coin", "attribution": {"category": "coin"}},
                    status="ok",
                    collected=0,
                    filtered=0,
                    started_at=datetime.now(UTC),
                )
            )
            raised = UnitOfWork(conn, Outbox(outbox))  # its events are read, never flushed
            try:
                await store_import(raised, parsed.rows, Rates())
            except ImportRefused:
                return  # the route's 422 (an unknown currency)
            comps = [  # as the consumers receive them, over the wire
                PricePointCollected.model_validate_json(e.model_dump_json())
                for e in raised.events
                if isinstance(e, PricePointCollected)
            ]
            await handlers.on_collected(comps, UnitOfWork(conn, Outbox(outbox)))
            await save_comps(conn, comps)
            frames = await load_frames_many(conn, [(item_id, 1)])
            value_frame(frames[(item_id, 1)], as_of=datetime.now(UTC), grade=None)
            for c in comps:
                assert c.data.url is None or c.data.url.startswith(("http://", "https://"))
                assert c.data.source.name.startswith("manual")
                assert Decimal(0) <= c.data.price

        run(check)
        assert skips() == before

    prop()
