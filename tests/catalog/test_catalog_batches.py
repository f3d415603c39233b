"""The catalog's handlers take a whole consumer batch at once: events of several items and
several kinds in one call must come out as if each had been handled alone, in order."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from catalog_support import valuation
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from fairmarket.catalog.bootstrap import Catalog, bootstrap
from fairmarket.catalog.db import (
    comps,
    deliveries,
    items,
    outbox,
    pricing_requests,
    pricing_runs,
    products,
    sources,
    watches,
)
from fairmarket.catalog.settings import CatalogSettings
from fairmarket.common.db import make_engine
from fairmarket.common.events import (
    CoinAttribution,
    CompUseEntry,
    IntakeAttributed,
    IntakeAttributedData,
    PricePointCollected,
    PricePointCollectedData,
    PricingCompleted,
    PricingCompletedData,
    SourceRef,
    ValuationComputed,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(migrated_db: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated_db, schema="catalog")
    yield engine
    await engine.dispose()


def attributed(item: uuid.UUID, revision: int, title: str) -> IntakeAttributed:
    return IntakeAttributed(
        producer="intake",
        data=IntakeAttributedData(
            item_id=item,
            revision=revision,
            category="coin",
            title=title,
            attribution=CoinAttribution(year=1921, mintmark="D", grade="MS63"),
        ),
    )


def valued(item: uuid.UUID, version: int, fmv: int, run: uuid.UUID | None) -> ValuationComputed:
    """test_products_and_watches' valuation, of a pricing run, a second apart per version."""
    event = valuation(item, version, fmv, None)
    at = datetime.now(UTC) + timedelta(seconds=version)
    return event.model_copy(update={"correlation_id": run, "occurred_at": at})


@pytest.fixture
async def make_catalog(migrated_db: str) -> AsyncIterator[Callable[..., Catalog]]:
    """The catalog as its app is built (bootstrap), nothing started: its consumer's handler."""
    made: list[Catalog] = []

    def make(**settings: Any) -> Catalog:
        made.append(
            bootstrap(
                CatalogSettings(database_url=migrated_db, jwt_secret="batches-" * 4, **settings)
            )
        )
        return made[-1]

    yield make
    for catalog in made:
        await catalog.client.aclose()
        await catalog.runtime.engine.dispose()


async def handle(engine: AsyncEngine, catalog: Catalog, events: list[Any]) -> None:
    """As the catalog's consumer hands a batch over: one transaction, by kind."""
    async with catalog.runtime.engine.begin() as conn:
        await catalog.handle(conn, events)


async def test_one_batch_of_many_items_and_kinds(
    engine: AsyncEngine, make_catalog: Callable[..., Catalog]
) -> None:
    handlers = make_catalog(price_approval_threshold_pct=150)
    source_id = uuid.uuid4()
    async with engine.begin() as conn:  # one source only, instead of the seeded ones
        await conn.execute(sources.delete())
        await conn.execute(
            sources.insert().values(
                id=source_id, name=f"ebay-{source_id.hex[:6]}", adapter="ebay", categories=["coin"]
            )
        )
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # a's second revision arrives in the same batch as its first; c's revision 1 is a repeat
    await handle(engine, handlers, [attributed(c, 2, "c, revised")])
    batch = [
        attributed(a, 1, "a"),
        attributed(b, 1, "b"),
        attributed(a, 2, "a, revised"),
        attributed(c, 1, "c, stale"),
    ]
    await handle(engine, handlers, batch)
    async with engine.connect() as conn:
        rows = {r.id: r for r in (await conn.execute(select(items))).all()}
        runs = (await conn.execute(select(pricing_runs))).all()
        requests = (await conn.execute(select(pricing_requests))).all()
        queued = (await conn.execute(select(outbox.c.key, outbox.c.topic))).all()
    assert (rows[a].title, rows[a].revision) == ("a, revised", 2)
    assert (rows[b].title, rows[b].revision) == ("b", 1)
    assert (rows[c].title, rows[c].revision) == ("c, revised", 2)
    run_of = {r.item_id: r for r in runs}
    assert {(r.item_id, r.revision) for r in runs} == {(a, 2), (b, 1), (c, 2)}
    assert {(r.run_id, r.source_id) for r in requests} == {
        (run_of[i].id, source_id) for i in (a, b, c)
    }
    assert sorted(k for k, t in queued if t == "pricing.requested") == sorted(
        str(i) for i in (a, b, c)
    )

    # completions of two requests, and valuations of a (twice) and b, in one batch
    async with engine.begin() as conn:
        watch = uuid.uuid4()
        await conn.execute(
            watches.insert().values(
                id=watch,
                item_id=a,
                condition={"kind": "fmv_above", "value": 15000},
                url="http://127.0.0.1:9/hook",
                secret="s",
                created_by="t",
            )
        )
        product = uuid.uuid4()
        await conn.execute(
            products.insert().values(
                id=product,
                item_id=a,
                title="a",
                policy={"kind": "markup", "markup": 2.0, "ending_cents": None},
                created_by="t",
            )
        )
    by_item = {r.item_id: r for r in requests}
    source = SourceRef(id=source_id, name="ebay", adapter="ebay")
    done = [
        PricingCompleted(
            producer="collector",
            data=PricingCompletedData(
                request_id=by_item[i].id,
                run_id=run_of[i].id,
                item_id=i,
                revision=run_of[i].revision,
                source=source,
                status=status,
                collected=n,
                filtered=0,
            ),
        )
        for i, status, n in ((a, "ok", 5), (b, "partial", 3))
    ]
    batch = [
        *done,
        valued(a, 1, 10000, run_of[a].id),
        valued(b, 1, 5000, run_of[b].id),
        valued(a, 2, 20000, run_of[a].id),
    ]
    await handle(engine, handlers, batch)
    async with engine.connect() as conn:
        rows = {r.id: r for r in (await conn.execute(select(items))).all()}
        reqs = {r.item_id: r for r in (await conn.execute(select(pricing_requests))).all()}
        runs = {r.item_id: r for r in (await conn.execute(select(pricing_runs))).all()}
        fired = (await conn.execute(select(deliveries))).all()
        price = await conn.scalar(
            select(products.c.price_usd_cents).where(products.c.id == product)
        )
    assert (rows[a].valuation_version, rows[a].fmv_usd_cents) == (2, 20000)
    assert (rows[b].valuation_version, rows[b].fmv_usd_cents) == (1, 5000)
    assert rows[c].valuation_version is None
    assert (reqs[a].status, reqs[a].collected) == ("ok", 5)
    assert (reqs[b].status, reqs[b].collected) == ("partial", 3)
    assert reqs[c].status == "pending"
    assert (runs[a].valuation_version, runs[b].valuation_version) == (2, 1)
    assert runs[c].valued_at is None
    # a's FMV crossed $150 once, on version 2: one delivery, carrying that version
    assert [(d.watch_id, d.payload["valuation"]["version"]) for d in fired] == [(watch, 2)]
    assert price == 40000  # the policy followed the last of a's valuations


def collected(item: uuid.UUID, price: int) -> PricePointCollected:
    return PricePointCollected(
        producer="collector",
        data=PricePointCollectedData(
            price_point_id=uuid.uuid4(),
            item_id=item,
            revision=1,
            request_id=uuid.uuid4(),
            source=SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay"),
            kind="sold",
            title=f"1921-D Morgan dollar MS63 ${price}",
            price=Decimal(price),
            currency="USD",
            total_usd_cents=price * 100,
            observed_at=datetime.now(UTC),
            match_score=1.0,
        ),
    )


async def test_the_comp_list_shows_what_the_latest_valuation_set_aside(
    engine: AsyncEngine, make_catalog: Callable[..., Catalog]
) -> None:
    handlers = make_catalog()
    item, other = uuid.uuid4(), uuid.uuid4()
    points = [collected(item, p) for p in (100, 105, 110, 900)]
    theirs = collected(other, 900)
    await handle(engine, handlers, [attributed(item, 1, "x"), attributed(other, 1, "y")])
    await handle(engine, handlers, [*points, theirs])
    high = str(points[-1].data.price_point_id)

    def flagged(version: int, ids: list[str]) -> ValuationComputed:
        event = valued(item, version, 10500, None)
        data = event.data.model_copy(update={"outlier_price_point_ids": ids})
        return event.model_copy(update={"data": data})

    async def outliers() -> set[uuid.UUID]:
        async with engine.connect() as conn:
            rows = await conn.execute(select(comps.c.price_point_id).where(comps.c.outlier))
            return set(rows.scalars())

    await handle(engine, handlers, [flagged(1, [high, str(theirs.data.price_point_id)])])
    assert await outliers() == {points[-1].data.price_point_id}  # only the item's own comps
    await handle(engine, handlers, [collected(item, 100), points[-1]])  # collected again
    assert await outliers() == {points[-1].data.price_point_id}
    await handle(engine, handlers, [flagged(2, [])])
    assert await outliers() == set()


async def test_each_comp_keeps_what_the_latest_valuation_did_with_it(
    engine: AsyncEngine, make_catalog: Callable[..., Catalog]
) -> None:
    handlers = make_catalog()
    item, other = uuid.uuid4(), uuid.uuid4()
    a, b, c, d = (collected(item, p) for p in (100, 105, 60, 900))
    theirs = collected(other, 900)
    await handle(engine, handlers, [attributed(item, 1, "x"), attributed(other, 1, "y")])
    await handle(engine, handlers, [a, b, c, d, theirs])
    pid = {name: str(e.data.price_point_id) for name, e in zip("abcd", (a, b, c, d), strict=True)}

    def told(version: int, uses: list[CompUseEntry]) -> ValuationComputed:
        event = valued(item, version, 10500, None)
        return event.model_copy(update={"data": event.data.model_copy(update={"comp_uses": uses})})

    async def stored() -> dict[uuid.UUID, tuple[Any, ...]]:
        cols = (comps.c.valuation_use, comps.c.valuation_weight, comps.c.valuation_grade_ratio)
        async with engine.connect() as conn:
            rows = await conn.execute(select(comps.c.price_point_id, *cols))
            return {r[0]: tuple(r[1:]) for r in rows}

    first = [
        CompUseEntry(price_point_id=pid["a"], use="used", weight=0.7),
        CompUseEntry(price_point_id=pid["c"], use="other_grade_used", weight=0.3, grade_ratio=1.6),
        CompUseEntry(price_point_id=pid["d"], use="outlier"),
        CompUseEntry(price_point_id=str(theirs.data.price_point_id), use="used", weight=1.0),
        CompUseEntry(price_point_id="not-a-uuid", use="used", weight=1.0),
    ]
    await handle(engine, handlers, [told(1, first)])
    got = await stored()
    assert got[a.data.price_point_id] == ("used", 0.7, None)
    assert got[c.data.price_point_id] == ("other_grade_used", 0.3, 1.6)
    assert got[d.data.price_point_id] == ("outlier", None, None)
    assert got[b.data.price_point_id] == (None, None, None)  # not in that valuation
    assert got[theirs.data.price_point_id] == (None, None, None)  # another item's comp
    await handle(engine, handlers, [collected(item, 100), a])  # collected again: kept
    assert (await stored())[a.data.price_point_id] == ("used", 0.7, None)

    second = [
        CompUseEntry(price_point_id=pid["b"], use="used", weight=1.0),
        CompUseEntry(price_point_id=pid["d"], use="outside_window"),
    ]
    await handle(engine, handlers, [told(2, second)])
    stale = told(1, first).model_copy(update={"event_id": uuid.uuid4()})
    await handle(engine, handlers, [stale])  # an older valuation, delivered late
    got = await stored()
    assert got[a.data.price_point_id] == (None, None, None)  # version 2 did not list it
    assert got[b.data.price_point_id] == ("used", 1.0, None)
    assert got[d.data.price_point_id] == ("outside_window", None, None)
    assert got[c.data.price_point_id] == (None, None, None)
