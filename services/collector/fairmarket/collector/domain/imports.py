"""The rules of a CSV import of comps: which rows are refused, what each becomes, and the
`manual` job and events of each item. Pure, no I/O (`imports.py` reads and writes)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairmarket.collector.domain.grades import grade_of
from fairmarket.collector.domain.money import Rates, UnknownCurrency
from fairmarket.collector.domain.price_points import PricePoints
from fairmarket.common.comps_csv import CompRow
from fairmarket.common.events import Envelope, PricePointCollectedData, SourceRef

_NAMESPACE = uuid.UUID("8c0f3d52-6a4b-4c1e-9f2a-1b3c5d7e9f00")


class ImportRefused(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]))
        self.errors = errors


def manual_source(name: str) -> SourceRef:
    return SourceRef(id=uuid.uuid5(_NAMESPACE, f"source|{name}"), name=name, adapter="manual")


def row_id(row: CompRow) -> uuid.UUID:
    """The same row imported twice is the same comp."""
    key = "|".join(
        str(v)
        for v in (
            row.item_id,
            row.source,
            row.title,
            row.price,
            row.currency,
            row.observed_at,
            row.url or "",
            row.shipping,
        )
    )
    return uuid.uuid5(_NAMESPACE, hashlib.sha256(key.encode()).hexdigest())


@dataclass(frozen=True)
class KnownItem:
    """An item the collector has seen a pricing request for: its latest revision and that
    request as stored (JSON), whose category and attribution the import takes."""

    revision: int
    request: Mapping[str, Any]


@dataclass(frozen=True)
class ItemImport:
    """One item's imported comps: a `manual` request of their own, with its job and events."""

    points: PricePoints
    revision: int
    request: dict[str, Any]  # the item's known request, re-addressed to this import
    rows: int  # the file's rows for the item, duplicates included

    def job_row(self, started_at: datetime) -> dict[str, Any]:
        return self.points.job_row(
            revision=self.revision,
            source=MANUAL,
            request=self.request,
            status="ok",
            error=None,
            started_at=started_at,
        )

    def events(self) -> list[Envelope[Any]]:
        done = self.points.completed(
            revision=self.revision,
            source=MANUAL,
            status="ok",
            attribution=self.request.get("attribution"),
        )
        return [*self.points.events(), done]


MANUAL = manual_source("manual")


def plan_import(
    rows: Sequence[CompRow],
    items: Mapping[uuid.UUID, KnownItem],
    rates: Rates,
    *,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> list[ItemImport]:
    """All or nothing: a row of an item the collector does not know, or in a currency it
    cannot convert, refuses the whole file with every such line named."""
    errors = [
        f"line {r.line}: item {r.item_id} is not known to the collector"
        for r in rows
        if r.item_id not in items
    ]
    run_id = new_id()
    requests = {item: new_id() for item in items}
    points: dict[uuid.UUID, list[PricePointCollectedData]] = {}
    for r in rows:
        item = items.get(r.item_id)
        if item is None:
            continue
        try:
            total = rates.total_usd_cents(r.price, r.currency, r.shipping, r.currency)
        except UnknownCurrency as exc:
            errors.append(f"line {r.line}: {exc}")
            continue
        points.setdefault(r.item_id, []).append(
            PricePointCollectedData(
                price_point_id=row_id(r),
                item_id=r.item_id,
                revision=item.revision,
                request_id=requests[r.item_id],
                source=manual_source(r.source),
                kind=r.kind,  # type: ignore[arg-type]
                title=r.title,
                url=r.url,
                price=r.price,
                currency=r.currency,
                shipping=r.shipping,
                total_usd_cents=total,
                observed_at=r.observed_at,
                sale_format=r.sale_format,  # type: ignore[arg-type]
                bids=r.bids,
                quantity=r.quantity,
                condition=r.condition,
                grade=r.grade or grade_of(item.request["category"], r.title),
                match_score=1.0,
            )
        )
    if errors:
        raise ImportRefused(errors)
    planned = []
    for item_id, item_points in points.items():
        request_id = requests[item_id]
        request = dict(items[item_id].request)
        request.update(
            request_id=str(request_id), run_id=str(run_id), source=MANUAL.model_dump(mode="json")
        )
        planned.append(
            ItemImport(
                PricePoints.of(item_points, request_id=request_id, run_id=run_id, item_id=item_id),
                items[item_id].revision,
                request,
                len(item_points),
            )
        )
    return planned
