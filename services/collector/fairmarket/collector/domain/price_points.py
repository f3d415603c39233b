"""One request's price points as stored and announced: the single builder of price-point rows
and their events, shared by collection, CSV import and replay. Pure, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairmarket.common.events import (
    CompletionStatus,
    PricePointCollected,
    PricePointCollectedData,
    PricingCompleted,
    PricingCompletedData,
    RunSize,
    SourceRef,
)
from fairmarket.common.grades import attributed_grade


@dataclass(frozen=True)
class PricePoints:
    """The price points of one pricing request, each id once (the first wins)."""

    request_id: uuid.UUID
    run_id: uuid.UUID
    item_id: uuid.UUID
    points: tuple[PricePointCollectedData, ...]

    @classmethod
    def of(
        cls,
        points: Iterable[PricePointCollectedData],
        *,
        request_id: uuid.UUID,
        run_id: uuid.UUID,
        item_id: uuid.UUID,
    ) -> PricePoints:
        unique: dict[uuid.UUID, PricePointCollectedData] = {}
        for point in points:
            unique.setdefault(point.price_point_id, point)
        return cls(request_id, run_id, item_id, tuple(unique.values()))

    def __len__(self) -> int:
        return len(self.points)

    @property
    def filtered(self) -> int:
        return sum(1 for p in self.points if p.filtered)

    def changed_since(self, stored: Mapping[uuid.UUID, Any]) -> PricePoints:
        """The points a replay writes and announces again: new ones, and those whose stored
        payload (by id) differs from what normalization makes of them today."""
        return PricePoints(
            self.request_id,
            self.run_id,
            self.item_id,
            tuple(
                p for p in self.points if stored.get(p.price_point_id) != p.model_dump(mode="json")
            ),
        )

    def rows(self) -> list[dict[str, Any]]:
        """The `price_points` rows, the payload being the event's data as announced."""
        return [
            {
                "id": p.price_point_id,
                "request_id": self.request_id,
                "item_id": self.item_id,
                "raw_artifact_id": p.raw_artifact_id,
                "payload": p.model_dump(mode="json"),
            }
            for p in self.points
        ]

    def events(self, causation_id: uuid.UUID | None = None) -> list[PricePointCollected]:
        return [
            PricePointCollected(
                producer="collector",
                correlation_id=self.run_id,
                causation_id=causation_id,
                data=p,
            )
            for p in self.points
        ]

    def job_row(
        self,
        *,
        revision: int,
        source: SourceRef,
        request: Mapping[str, Any],
        status: CompletionStatus,
        error: str | None,
        started_at: datetime,
    ) -> dict[str, Any]:
        """The `jobs` row: what the request asked (as JSON) and what came of it, counted as
        the completion counts."""
        return {
            "request_id": self.request_id,
            "run_id": self.run_id,
            "item_id": self.item_id,
            "revision": revision,
            "source": source.name,
            "adapter": source.adapter,
            "request": dict(request),
            "status": status,
            "collected": len(self.points),
            "filtered": self.filtered,
            "error": error,
            "started_at": started_at,
        }

    def completed(
        self,
        *,
        revision: int,
        source: SourceRef,
        status: CompletionStatus,
        attribution: object,
        error: str | None = None,
        run_size: RunSize = None,
        causation_id: uuid.UUID | None = None,
    ) -> PricingCompleted:
        """The event that closes the request: how many points it announced, how many filtered."""
        return PricingCompleted(
            producer="collector",
            correlation_id=self.run_id,
            causation_id=causation_id,
            data=PricingCompletedData(
                request_id=self.request_id,
                run_id=self.run_id,
                item_id=self.item_id,
                revision=revision,
                source=source,
                status=status,
                collected=len(self.points),
                filtered=self.filtered,
                error=error,
                item_grade=attributed_grade(attribution),
                run_size=run_size,
            ),
        )
