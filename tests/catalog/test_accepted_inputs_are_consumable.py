"""Whatever the watch, product, source and import routes accept, the consumers that read it
can process: a property over generated inputs, hostile ones among them (issue 17).

Each input goes through the route's own validation; an accepted one is stored as the
route stores it, in the real database, and then read by the real consumer code that
reads it in production (watch evaluation and webhook sending, re-pricing on a valuation,
starting pricing runs and the collector's reading of them, the import and then the
catalog's and valuation's storing and valuing of the comps). The consumer must neither
fail nor need its skip-and-mark fallback. Each example runs in a transaction rolled back.
`FAIRMARKET_PROPERTY_EXAMPLES` (default 60) sets how many per route.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fairmarket.catalog.api.products import ProductIn
from fairmarket.catalog.api.sources import SourceIn
from fairmarket.catalog.api.watches import WatchIn
from fairmarket.catalog.consumers import CatalogHandlers
from fairmarket.catalog.db import items, outbox, products, sources, watches
from fairmarket.catalog.netguard import UnsafeUrl, check_url, pin
from fairmarket.catalog.pricing import RunAsk, start_runs
from fairmarket.catalog.products import follow_valuations
from fairmarket.catalog.watching import evaluate
from fairmarket.collector.db import jobs
from fairmarket.collector.imports import ImportRefused, import_rows
from fairmarket.common import comps_csv
from fairmarket.common.db import make_engine
from fairmarket.common.events import (
    CompsCounts,
    ConfidenceComponents,
    PricePointCollected,
    PricingRequested,
    ValuationComputed,
    ValuationComputedData,
)
from fairmarket.common.inputs import BIGINT_MAX
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.money import Rates
from fairmarket.common.uow import UnitOfWork
from fairmarket.valuation.domain import value_frame
from fairmarket.valuation.revalue import load_frames_many
from fairmarket.valuation.store import save_comps

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FAIRMARKET_PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

NUL = st.tuples(st.text(max_size=6), st.text(max_size=6)).map(lambda p: f"{p[0]}\x00{p[1]}")
TEXT = st.one_of(
    st.text(max_size=40),
    NUL,
    st.text(min_size=190, max_size=600),
    st.sampled_from(["\ud800", "Infinity", "0001-01-01", "9999-12-31T23:59:59-12:00"]),
)
NUMBER = st.one_of(
    st.integers(),
    st.floats(),
    st.sampled_from([2**63, -(2**63) - 1, 10**30, "Infinity", "NaN", "1e309", None, "12"]),
)
HOSTS = ["8.8.8.8", "[2001:4860:4860::8888]", "hooks.example.com", "127.0.0.1", "[::7f00:1]"]
URL = st.one_of(
    st.builds(
        "{}://{}{}/{}".format,
        st.sampled_from(["http", "https", "ftp", "javascript"]),
        st.sampled_from([*HOSTS, "a..com", "a" * 64 + ".com", "[::1", "host\t"]),
        st.sampled_from(["", ":443", ":99999", ":-1", ":abc", ":0"]),
        st.text(max_size=20),
    ),
    TEXT,
)
ALLOWED = ["hooks.example.com"]  # as an admin allows a host: no DNS in this test
GOOD_URL = st.builds(
    "{}://{}{}/{}".format,
    st.sampled_from(["http", "https"]),
    st.sampled_from(["8.8.8.8", "[2001:4860:4860::8888]", "hooks.example.com"]),
    st.sampled_from(["", ":8443"]),
    st.text(st.characters(codec="utf-8"), max_size=20),
)


@st.composite
def poisoned(
    draw: st.DrawFn,
    good: dict[str, st.SearchStrategy[Any]],
    bad: dict[str, st.SearchStrategy[Any]],
    optional: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A valid body with (three times in four) one field drawn from hostile values: many
    bodies are accepted and reach the consumer, and the hostile values that are accepted
    (a date just inside the range, a long but fitting text) are the edge cases."""
    body = {k: draw(v) for k, v in good.items() if k not in optional or draw(st.booleans())}
    if draw(st.integers(0, 3)):
        field = draw(st.sampled_from(sorted(bad)))
        body[field] = draw(bad[field])
    return body


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def engine(migrated_db: str, loop: asyncio.AbstractEventLoop) -> Iterator[AsyncEngine]:
    engine = make_engine(migrated_db, schema="catalog", pool_size=1)
    yield engine
    loop.run_until_complete(engine.dispose())


def rolled_back(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> Callable[[Callable[[AsyncConnection], Awaitable[None]]], None]:
    def run(check: Callable[[AsyncConnection], Awaitable[None]]) -> None:
        async def inside() -> None:
            async with engine.connect() as conn:
                transaction = await conn.begin()
                try:
                    await check(conn)
                finally:
                    await transaction.rollback()

        loop.run_until_complete(inside())

    return run


def accepted(model: Any, body: Any) -> Any:
    """The route's own validation of the JSON body it receives, or None for a 4xx."""
    try:
        wire = json.loads(json.dumps(body))  # NaN and Infinity travel as Python's json does
        return model.model_validate(wire)
    except (ValidationError, ValueError):
        return None


def skips() -> float:
    return sum(
        REGISTRY.get_sample_value("fairmarket_catalog_bad_rows_skipped_total", {"kind": k}) or 0
        for k in ("watch", "product", "comp")
    ) + (REGISTRY.get_sample_value("fairmarket_valuation_bad_comps_total") or 0)


async def an_item(conn: AsyncConnection) -> Any:
    return (
        await conn.execute(
            items.insert()
            .values(
                id=uuid.uuid4(),
                category="coin",
                title="1921-D Morgan dollar",
                attribution={"category": "coin", "year": 1921},
                revision=1,
            )
            .returning(items)
        )
    ).one()


def valuation(item_id: uuid.UUID, fmv: int | None) -> ValuationComputed:
    return ValuationComputed(
        producer="valuation",
        data=ValuationComputedData(
            item_id=item_id,
            revision=1,
            version=1,
            method="fmv-test",
            as_of=datetime.now(UTC),
            fmv_usd_cents=fmv,
            comps=CompsCounts(total=1, used=1, outliers=0, filtered=0),
            sold_ratio=1.0,
            basis="sold",
            confidence=5,
            confidence_components=ConfidenceComponents(
                count=1, reputation=1, sold_ratio=1, spread=1, recency=1
            ),
            explanation="test",
            inputs_hash="h",
        ),
    )


KINDS = ["fmv_above", "fmv_below", "change_pct", "confidence_above"]
WATCHES = poisoned(
    {
        "condition": st.fixed_dictionaries(
            {"kind": st.sampled_from(KINDS), "value": st.floats(0, 1e15) | st.integers(0, 10**15)}
        ),
        "url": GOOD_URL,
        "category": st.sampled_from(["coin", "card"]),
        "query": st.text(min_size=1, max_size=30),
    },
    {
        "condition": st.fixed_dictionaries(
            {"kind": st.sampled_from([*KINDS, "other"]), "value": NUMBER}
        ),
        "url": URL,
        "category": st.sampled_from(["x", "", None]),
        "query": TEXT,
    },
    optional=("category", "query"),
)


def test_every_accepted_watch_is_evaluated_and_sent(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)

    @PROPERTY
    @given(body=WATCHES, fmv=st.one_of(st.none(), st.integers(0, BIGINT_MAX)))
    def prop(body: dict[str, Any], fmv: int | None) -> None:
        watch = accepted(WatchIn, body)
        if watch is None:
            return
        try:
            address = loop.run_until_complete(check_url(watch.url, ALLOWED))
        except UnsafeUrl:
            return  # the route's 422
        before = skips()

        async def check(conn: AsyncConnection) -> None:
            item = await an_item(conn)
            watch_id = uuid.uuid4()
            await conn.execute(
                watches.insert().values(
                    id=watch_id,
                    category=watch.category,
                    query=watch.query,
                    condition=watch.condition.model_dump(mode="json"),
                    url=watch.url,
                    secret="whsec_x",
                    created_by="property",
                )
            )
            await evaluate(conn, [valuation(item.id, fmv)])
            stored = (await conn.execute(select(watches).where(watches.c.id == watch_id))).one()
            assert stored.enabled, stored.disabled_reason
            url, host, _ = pin(stored.url, address)  # what the sender posts to
            httpx.Request("POST", url, headers=host)

        run(check)
        assert skips() == before

    prop()


POLICY_FIELDS = ("markup", "ending_cents", "floor_usd_cents", "ceiling_usd_cents")
POLICIES = poisoned(
    {
        "kind": st.sampled_from(["markup", "fixed"]),
        "markup": st.floats(0.01, 100),
        "ending_cents": st.integers(0, 99) | st.none(),
        "floor_usd_cents": st.integers(0, 10**6),
        "ceiling_usd_cents": st.integers(10**6, 10**15),
        "fixed_usd_cents": st.integers(1, 10**15),
        "follow_valuation": st.booleans(),
    },
    {
        "kind": st.just("x"),
        **dict.fromkeys((*POLICY_FIELDS, "fixed_usd_cents"), NUMBER),
    },
    optional=(*POLICY_FIELDS, "follow_valuation"),
)


def test_every_accepted_product_is_repriced_by_valuations(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)

    @PROPERTY
    @given(
        policy=POLICIES,
        text=st.fixed_dictionaries({}, optional={"title": TEXT, "description": TEXT}),
        fmvs=st.lists(st.one_of(st.none(), st.integers(0, BIGINT_MAX)), min_size=1, max_size=3),
    )
    def prop(policy: dict[str, Any], text: dict[str, Any], fmvs: list[int | None]) -> None:
        before = skips()

        async def check(conn: AsyncConnection) -> None:
            item = await an_item(conn)
            product = accepted(ProductIn, {"item_id": str(item.id), "policy": policy, **text})
            if product is None:
                return
            product_id = uuid.uuid4()
            await conn.execute(
                products.insert().values(
                    id=product_id,
                    item_id=item.id,
                    title=product.title or "t",
                    description=product.description,
                    policy=product.policy.model_dump(mode="json"),
                    price_usd_cents=5_000,
                    created_by="property",
                )
            )
            await follow_valuations(conn, [(item.id, f) for f in fmvs], 20.0)
            row = (await conn.execute(select(products).where(products.c.id == product_id))).one()
            for price in (row.price_usd_cents, row.pending_price_usd_cents):
                assert price is None or 0 <= price <= BIGINT_MAX

        run(check)
        assert skips() == before

    prop()


RULES = poisoned(
    {
        "exclude_keywords": st.lists(st.text(max_size=30), max_size=3),
        "include_keywords": st.lists(st.text(max_size=30), max_size=3),
        "min_price_usd": st.decimals(0, 10**9, places=2).map(str),
        "max_price_usd": st.decimals(0, 10**12, places=2).map(str),
        "sold_only": st.booleans(),
        "lookback_days": st.integers(1, 3650),
        "max_results": st.integers(1, 10_000),
    },
    {
        "exclude_keywords": st.lists(TEXT, min_size=1, max_size=3),
        "include_keywords": st.lists(TEXT, min_size=1, max_size=3),
        "min_price_usd": NUMBER,
        "max_price_usd": NUMBER,
        "lookback_days": NUMBER,
        "max_results": NUMBER,
    },
    optional=("exclude_keywords", "include_keywords", "min_price_usd", "max_price_usd"),
)


def test_every_accepted_source_starts_runs_the_collector_can_read(
    engine: AsyncEngine, loop: asyncio.AbstractEventLoop
) -> None:
    run = rolled_back(engine, loop)

    @PROPERTY
    @given(
        rules=RULES,
        reputation=st.floats(0, 10) | NUMBER,
        rate=st.integers(1, 100_000) | NUMBER,
    )
    def prop(rules: dict[str, Any], reputation: Any, rate: Any) -> None:
        body = {
            "name": f"p-{uuid.uuid4().hex[:8]}",
            "adapter": "manual",
            "rules": rules,
            "reputation": reputation,
            "rate_limit_per_minute": rate,
        }
        source = accepted(SourceIn, body)
        if source is None:
            return

        async def check(conn: AsyncConnection) -> None:
            item = await an_item(conn)
            await conn.execute(
                sources.insert().values(id=uuid.uuid4(), **source.model_dump(mode="json"))
            )
            [(_, events)] = await start_runs(conn, [RunAsk(item, "reprice", "property")])
            mine = [e for e in events if e.data.source.name == source.name]
            assert mine
            for event in mine:  # what the collector's consumer parses
                PricingRequested.model_validate_json(event.model_dump_json())

        run(check)

    prop()


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
            try:
                events, _ = await import_rows(conn, parsed.rows, Rates())
            except ImportRefused:
                return  # the route's 422 (an unknown currency)
            comps = [  # as the consumers receive them, over the wire
                PricePointCollected.model_validate_json(e.model_dump_json())
                for e in events
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
