"""Builders shared by the valuation engine's tests."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fairmarket.common.events import ValuationComputedData
from fairmarket.valuation.domain import Comp, Valuation
from fairmarket.valuation.domain.explain import usd

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
CARDS_CSV = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "sales"
    / "cardladder_nba_rookies_psa_sales_2013_2020_dev_split.csv"
)


def comp(
    pid: str | int,
    cents: int,
    days_ago: float = 1.0,
    *,
    kind: str = "sold",
    source: str = "ebay",
    reputation: float = 1.0,
    match: float = 1.0,
    sale_format: str = "unknown",
    bids: int | None = None,
    grade: str | None = None,
    filtered: bool = False,
    excluded: bool = False,
) -> Comp:
    return Comp(
        price_point_id=str(pid),
        source=source,
        reputation=reputation,
        kind=kind,
        total_usd_cents=cents,
        observed_at=NOW - timedelta(days=days_ago),
        match_score=match,
        sale_format=sale_format,
        bids=bids,
        grade=grade,
        filtered=filtered,
        excluded=excluded,
    )


def sold(prices: list[int], *, start: int = 0, days_apart: float = 1.0, **kw: object) -> list[Comp]:
    """One sale per price, newest first, one every ``days_apart`` days."""
    return [
        comp(f"s{start + i}", p, 0.5 + i * days_apart, **kw)  # type: ignore[arg-type]
        for i, p in enumerate(prices)
    ]


def dollars(text: str) -> list[str]:
    """Every dollar amount in a text, as written ("$1,234", "$41.50")."""
    return re.findall(r"\$\d{1,3}(?:,\d{3})*(?:\.\d\d)?", text)


def check_consistent(v: Valuation) -> None:
    """Numbers, components and explanation agree with each other."""
    payload = v.to_payload()
    ValuationComputedData(item_id=uuid.uuid4(), revision=1, version=1, **payload)
    assert set(payload) == set(ValuationComputedData.model_fields) - {
        "item_id",
        "revision",
        "version",
        "previous_fmv_usd_cents",
    }
    json.dumps(v.details_payload())
    assert f"Confidence {v.confidence}/10" in v.explanation
    assert 1 <= v.confidence <= 10
    assert v.comps_used + v.comps_outliers <= v.comps_total
    details = v.comp_details()
    assert sum(d.used for d in details) == v.comps_used
    assert sum(d.outlier for d in details) == v.comps_outliers
    if v.fmv_usd_cents is None:
        assert v.confidence == 1 and v.basis == "none" and "no price" in v.explanation
        assert v.comps_used == 0
        return
    p10, p50, p90 = v.p10_usd_cents, v.p50_usd_cents, v.p90_usd_cents
    lo, hi = v.ci95_low_usd_cents, v.ci95_high_usd_cents
    assert p10 is not None and p50 is not None and p90 is not None
    assert lo is not None and hi is not None
    assert p10 <= p50 <= p90
    assert lo <= p50 <= hi
    assert sum(d.weight for d in details) == pytest.approx(1.0, abs=1e-4)
    amounts = dollars(v.explanation)
    assert usd(v.fmv_usd_cents) in amounts
    assert usd(p10) in amounts and usd(p90) in amounts
    if v.comps_outliers:
        assert f"{v.comps_outliers} outlier" in v.explanation
    if v.basis == "sold":
        assert f"{v.comps_used} sold comp" in v.explanation
    low, high = v.fmv_low_usd_cents, v.fmv_high_usd_cents
    assert low is not None and high is not None and low <= v.fmv_usd_cents <= high
    span = usd(low) if low == high else f"{usd(low)}-{usd(high)}"
    assert f"likely {span} over the next two weeks" in v.explanation
    if v.ask_cap_usd_cents is not None:
        assert f"capped at {usd(v.ask_cap_usd_cents)}" in v.explanation
    assert sum(s.comps for s in v.sources) == v.comps_used
    assert sum(s.weight_share for s in v.sources) == pytest.approx(1.0, abs=1e-3)
    assert v.confidence <= max(1, round(v.components.total))
