"""The valuation service over a real broker and database: comps in, one valuation out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fairmarket.common.db import make_engine
from fairmarket.common.events import (
    Envelope,
    PricePointCollected,
    PricePointCollectedData,
    PricePointFlagged,
    PricePointFlaggedData,
    PricingCompleted,
    PricingCompletedData,
    SourceRef,
    ValuationComputed,
)
from fairmarket.common.messaging.outbox import Outbox
from fairmarket.common.uow import UnitsOfWork
from fairmarket.valuation.bootstrap import consumer_handler
from fairmarket.valuation.db import SCHEMA, flags, outbox, valuations

pytestmark = pytest.mark.integration

SOURCE = SourceRef(id=uuid.uuid4(), name="ebay", adapter="ebay", reputation=1.0)


def comp(
    item: uuid.UUID,
    request: uuid.UUID,
    dollars: float,
    days_ago: int,
    revision: int = 1,
    *,
    source: SourceRef = SOURCE,
    kind: str = "sold",
    grade: str | None = None,
) -> PricePointCollected:
    return PricePointCollected(
        producer="test",
        data=PricePointCollectedData(
            price_point_id=uuid.uuid4(),
            item_id=item,
            revision=revision,
            request_id=request,
            source=source,
            kind=kind,  # type: ignore[arg-type]
            title="1921-D Morgan Dollar MS63",
            price=Decimal(str(dollars)),
            currency="USD",
            total_usd_cents=int(dollars * 100),
            observed_at=datetime.now(UTC) - timedelta(days=days_ago),
            match_score=1.0,
            grade=grade,
        ),
    )


def completed(
    item: uuid.UUID, request: uuid.UUID, run: uuid.UUID, n: int, revision: int = 1
) -> PricingCompleted:
    return PricingCompleted(
        producer="test",
        correlation_id=run,
        data=PricingCompletedData(
            request_id=request,
            run_id=run,
            item_id=item,
            revision=revision,
            source=SOURCE,
            status="ok",
            collected=n,
            filtered=0,
            item_grade="MS63",
        ),
    )


async def publish(bootstrap: str, events: list[Envelope[Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(e.topic, e.model_dump_json().encode(), key=e.key.encode())
    finally:
        await producer.stop()


async def current(client: Any, bearer: Any, item: uuid.UUID, version: int = 1) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            r = await client.get(f"/v1/valuations/{item}", headers=bearer("viewer"))
            if r.status_code == 200 and r.json()["version"] >= version:
                return r.json()
            await asyncio.sleep(0.1)


async def test_comps_then_completion_give_one_valuation_and_a_flag_recomputes(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    valuation = await service_app("valuation")
    item, request, run = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    prices = [400, 410, 395, 420, 405, 415, 398, 2500]
    comps = [comp(item, request, p, days_ago=i + 1) for i, p in enumerate(prices)]
    # The completion may overtake its comps (another topic): it is published first here.
    await publish(kafka_bootstrap, [completed(item, request, run, len(comps))])
    await publish(kafka_bootstrap, [*comps, comps[0]])  # and one comp twice

    got = await current(valuation, bearer, item)
    v = got["valuation"]
    assert v["comps"]["total"] == len(prices)
    assert 39_500 <= v["fmv_usd_cents"] <= 42_000
    assert v["comps"]["outliers"] >= 1  # the $2,500 one
    assert 1 <= v["confidence"] <= 10 and v["explanation"]
    assert v["fmv_low_usd_cents"] < v["fmv_usd_cents"] < v["fmv_high_usd_cents"]
    assert "over the next two weeks" in v["explanation"]
    assert {c["price_point_id"] for c in got["comps"]} == {
        str(c.data.price_point_id) for c in comps
    }
    shown = {c["price_point_id"]: c for c in got["comps"]}
    spike = shown[str(comps[-1].data.price_point_id)]  # the $2,500 one
    assert (spike["use"], spike["status"]) == ("outlier", "outlier")
    weights = [c["weight"] for c in got["comps"] if c["use"] == "used"]
    assert all(
        c["status"] == f"used, weight {c['weight']:.2f}" for c in got["comps"] if c["use"] == "used"
    )
    assert len(weights) == v["comps"]["used"] and sum(weights) == pytest.approx(1.0, abs=1e-4)
    assert v["comp_uses"][0]["use"] == "used"  # the event lists the comps it rests on first

    history = await valuation.get(f"/v1/valuations/{item}/history", headers=bearer("viewer"))
    assert [h["version"] for h in history.json()] == [1]
    assert history.json()[0]["fmv_high_usd_cents"] == v["fmv_high_usd_cents"]

    flag = PricePointFlagged(
        producer="test",
        data=PricePointFlaggedData(
            price_point_id=comps[1].data.price_point_id,
            item_id=item,
            excluded=True,
            reason="damaged rim",
            by="ann",
        ),
    )
    await publish(kafka_bootstrap, [flag])
    again = await current(valuation, bearer, item, version=2)
    assert again["valuation"]["previous_fmv_usd_cents"] == v["fmv_usd_cents"]
    excluded = next(
        c for c in again["comps"] if c["price_point_id"] == str(comps[1].data.price_point_id)
    )
    assert excluded["used"] is False
    assert excluded["use"] == "excluded"
    assert excluded["status"] == "excluded by admin: damaged rim"


async def test_a_valuations_comps_carry_their_source_kind_total_date_and_grade(
    service_app: Any, bearer: Any, kafka_bootstrap: str
) -> None:
    """A shop shows each comp as the valuation service stored it, beside how it counted."""
    valuation = await service_app("valuation")
    item, request, run = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    heritage = SourceRef(id=uuid.uuid4(), name="heritage", adapter="manual", reputation=0.9)
    comps = [
        comp(item, request, 400, days_ago=1, grade="MS63"),
        comp(item, request, 410.5, days_ago=3, source=heritage, kind="auction", grade="MS 63"),
        comp(item, request, 395, days_ago=5, grade="MS64"),
        comp(item, request, 450, days_ago=2, kind="ask"),
        comp(item, request, 405, days_ago=8, source=heritage, kind="guide"),
    ]
    await publish(kafka_bootstrap, [*comps, completed(item, request, run, len(comps))])

    got = await current(valuation, bearer, item)
    by_id = {c["price_point_id"]: c for c in got["comps"]}
    assert set(by_id) == {str(c.data.price_point_id) for c in comps}
    for sent in comps:
        d = sent.data
        shown = by_id[str(d.price_point_id)]
        assert shown["source"] == d.source.name
        assert shown["kind"] == d.kind
        assert shown["total_usd_cents"] == d.total_usd_cents
        assert datetime.fromisoformat(shown["observed_at"]) == d.observed_at
        assert shown["grade"] == d.grade
        assert {"weight", "outlier", "used", "reason", "adjusted_usd_cents"} <= set(shown)
        assert shown["status"] and "kept" not in shown["status"]
    assert by_id[str(comps[1].data.price_point_id)]["total_usd_cents"] == 41_050

    spec = (await valuation.get("/openapi.json")).json()
    fields = spec["components"]["schemas"]["CompOut"]["properties"]
    assert {"source", "kind", "total_usd_cents", "observed_at", "grade", "weight"} <= set(fields)
    out = spec["components"]["schemas"]["ValuationOut"]["properties"]["comps"]
    assert out["items"]["$ref"].endswith("/CompOut")


class RecordingOutbox(Outbox):
    """The real outbox, also remembering what the handler emitted and in which order."""

    def __init__(self) -> None:
        super().__init__(outbox)
        self.events: list[ValuationComputed] = []

    async def add(self, conn: AsyncConnection, events: Any) -> int:
        events = list(events)
        self.events.extend(events)
        return await super().add(conn, events)


def priced(item: uuid.UUID, dollars: list[float], revision: int = 1) -> list[Envelope[Any]]:
    """One request's comps and its completion."""
    request, run = uuid.uuid4(), uuid.uuid4()
    comps = [
        comp(item, request, p, days_ago=i + 1, revision=revision) for i, p in enumerate(dollars)
    ]
    return [*comps, completed(item, request, run, len(comps), revision=revision)]


def computations(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "fairmarket_valuation_computations_total", {"outcome": outcome}
    )
    return value or 0.0


async def test_one_batch_of_many_items_values_each_from_its_own_inputs(migrated_db: str) -> None:
    engine = make_engine(migrated_db, schema=SCHEMA, pool_size=1)
    box = RecordingOutbox()
    handle = consumer_handler(UnitsOfWork(engine, box))
    a, b, f, u, r, waiting, orphan = (uuid.uuid4() for _ in range(7))
    earlier_u = priced(u, [700, 710, 690, 705, 695])
    earlier_f = priced(f, [150, 152, 148, 151, 149, 153])
    earlier_r = priced(r, [5_000, 5_100, 4_900])
    try:
        async with engine.begin() as conn:
            await handle(conn, [*earlier_u, *earlier_f, *earlier_r])
        first = {e.data.item_id: e.data for e in box.events}
        assert set(first) == {u, f, r}
        box.events.clear()

        # b has two requests of one run, both complete; waiting's completion counts 5
        # comps of which 4 arrived; orphan has a complete request and comps of a request
        # that has not reported completion; r moved to revision 2 (its revision-1 comps
        # must not count); u is redelivered as it was; f gets a flag, and an older flag
        # of the same comp arriving after it must not undo it.
        b_run = uuid.uuid4()
        b_one, b_two = uuid.uuid4(), uuid.uuid4()
        b_comps = [comp(b, b_one, p, days_ago=i + 1) for i, p in enumerate([900, 910, 890, 905])]
        b_comps += [comp(b, b_two, p, days_ago=i + 2) for i, p in enumerate([895, 915, 908])]
        w_request = uuid.uuid4()
        w_comps = [comp(waiting, w_request, p, days_ago=i + 1) for i, p in enumerate([50] * 4)]
        flagged_comp = earlier_f[0].data.price_point_id
        flag = PricePointFlagged(
            producer="test",
            data=PricePointFlaggedData(
                price_point_id=flagged_comp, item_id=f, excluded=True, reason="cleaned", by="ann"
            ),
        )
        stale = PricePointFlagged(
            producer="test",
            occurred_at=flag.occurred_at - timedelta(minutes=5),
            data=PricePointFlaggedData(
                price_point_id=flagged_comp, item_id=f, excluded=False, reason="ok", by="bob"
            ),
        )
        batch: list[Envelope[Any]] = [
            b_comps[0],
            *earlier_u,
            *priced(a, [400, 410, 395, 420, 405, 415, 398, 2500]),
            *w_comps,
            completed(waiting, w_request, uuid.uuid4(), 5),
            flag,
            stale,
            *priced(orphan, [300, 310, 305]),
            comp(orphan, uuid.uuid4(), 320, days_ago=1),
            *priced(r, [6_000, 6_100, 5_900, 6_050], revision=2),
            *b_comps[1:],
            completed(b, b_one, b_run, 4),
            completed(b, b_two, b_run, 3),
        ]
        before = {o: computations(o) for o in ("waiting", "unchanged", "emitted")}
        async with engine.begin() as conn:
            await handle(conn, batch)
        after = {o: computations(o) - before[o] for o in before}

        got = {e.data.item_id: e for e in box.events}
        assert [e.data.item_id for e in box.events] == [b, a, f, r]  # first seen in the batch
        assert after == {"waiting": 2, "unchanged": 1, "emitted": 4}
        assert got[b].correlation_id == b_run
        assert [got[i].data.version for i in (b, a, f, r)] == [1, 1, 2, 2]
        assert [got[i].data.revision for i in (b, a, f, r)] == [1, 1, 1, 2]
        assert [got[i].data.comps.total for i in (b, a, f, r)] == [7, 8, 6, 4]
        assert got[f].data.comps.used == 5
        assert 89_000 <= (got[b].data.fmv_usd_cents or 0) <= 91_500
        assert 39_500 <= (got[a].data.fmv_usd_cents or 0) <= 42_000
        assert 14_800 <= (got[f].data.fmv_usd_cents or 0) <= 15_300
        assert 590_000 <= (got[r].data.fmv_usd_cents or 0) <= 610_000
        assert got[f].data.previous_fmv_usd_cents == first[f].fmv_usd_cents
        assert got[r].data.previous_fmv_usd_cents == first[r].fmv_usd_cents
        assert got[a].data.previous_fmv_usd_cents is None

        async with engine.connect() as conn:
            stored = (
                await conn.execute(
                    select(valuations.c.item_id, valuations.c.version, valuations.c.fmv_usd_cents)
                    .where(valuations.c.item_id.in_([a, b, f, u, r, waiting, orphan]))
                    .order_by(valuations.c.item_id, valuations.c.version)
                )
            ).all()
            excluded = await conn.scalar(
                select(flags.c.excluded).where(flags.c.price_point_id == flagged_comp)
            )
        versions: dict[uuid.UUID, list[int]] = {}
        for row in stored:
            versions.setdefault(row.item_id, []).append(row.version)
        assert versions == {a: [1], b: [1], f: [1, 2], u: [1], r: [1, 2]}
        latest = {row.item_id: row.fmv_usd_cents for row in stored}
        assert all(latest[i] == got[i].data.fmv_usd_cents for i in (a, b, f, r))
        assert excluded is True
    finally:
        await engine.dispose()


async def test_a_run_of_several_sources_is_valued_once_all_of_them_completed(
    migrated_db: str,
) -> None:
    """Each source's comps arrive as its own collection ends; the valuation waits for the
    run's every completion (failed ones count), so the run yields one valuation."""
    engine = make_engine(migrated_db, schema=SCHEMA, pool_size=1)
    box = RecordingOutbox()
    handle = consumer_handler(UnitsOfWork(engine, box))
    item, run, fast, slow, dead = uuid.uuid4(), uuid.uuid4(), *(uuid.uuid4() for _ in range(3))

    def done(request: uuid.UUID, n: int, status: str = "ok") -> PricingCompleted:
        event = completed(item, request, run, n)
        data = event.data.model_copy(update={"run_size": 3, "status": status})
        return event.model_copy(update={"data": data})

    try:
        for batch in (
            [*(comp(item, fast, p, days_ago=2) for p in (100, 102, 98)), done(fast, 3)],
            [*(comp(item, slow, p, days_ago=3) for p in (101, 99)), done(slow, 2)],
        ):
            async with engine.begin() as conn:
                await handle(conn, batch)
            assert box.events == [], "valued before the run's last source completed"
        async with engine.begin() as conn:
            await handle(conn, [done(dead, 0, status="failed")])
        (event,) = box.events
        assert event.data.comps.total == 5 and event.correlation_id == run
    finally:
        await engine.dispose()


async def test_recompute_all_revalues_items_of_an_older_method(migrated_db: str) -> None:
    """After a method change, `fairmarket valuation recompute --all` emits a new version
    whose method field tells a consumer it is the new method's."""
    from fairmarket.valuation.domain import METHOD_VERSION
    from fairmarket.valuation.recompute import recompute_items
    from fairmarket.valuation.settings import ValuationSettings

    engine = make_engine(migrated_db, schema=SCHEMA, pool_size=1)
    item = uuid.uuid4()
    try:
        async with engine.begin() as conn:
            handle = consumer_handler(UnitsOfWork(engine, RecordingOutbox()))
            await handle(conn, priced(item, [400, 410, 395, 405]))
            # as if the valuation had been computed by the method before this one
            await conn.execute(
                valuations.update()
                .where(valuations.c.item_id == item)
                .values(method="fmv-2026.11.1", inputs_hash="computed-by-the-old-method")
            )
        settings = ValuationSettings(database_url=migrated_db, jwt_secret="x" * 32)
        changed, total = await recompute_items(settings, [item])
        assert (changed, total) == (1, 1)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(valuations.c.version, valuations.c.method, valuations.c.payload)
                    .where(valuations.c.item_id == item)
                    .order_by(valuations.c.version)
                )
            ).all()
        assert [(r.version, r.method) for r in rows] == [
            (1, "fmv-2026.11.1"),
            (2, METHOD_VERSION),
        ]
        assert rows[1].payload["method"] == METHOD_VERSION
        assert rows[1].payload["fmv_low_usd_cents"] < rows[1].payload["fmv_high_usd_cents"]
        assert await recompute_items(settings, [item]) == (0, 1)  # nothing new: nothing sent
    finally:
        await engine.dispose()
