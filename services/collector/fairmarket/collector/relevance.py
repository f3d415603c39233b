"""How often a kept comp is the item: the collector's filters measured on hand-labelled real
captures (`fairmarket collector relevance --data ../shared/data`).

A label file names a capture under the data directory, its shape, and per attribution
every listing's label (is it the item, and if not why). Each listing goes through the
same normalization a collection does; precision is the share of kept listings that are
the item, recall the share of the items that were kept.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fairmarket.collector.adapters.base import RawExchange
from fairmarket.collector.adapters.ebay import BROWSE, listings_from
from fairmarket.collector.domain.listing import Listing
from fairmarket.collector.domain.money import Rates
from fairmarket.collector.domain.normalize import to_price_points
from fairmarket.collector.domain.relevance import tokens
from fairmarket.common.events import PricingRequestedData, SourceRef

PRECISION_TARGET = 0.95
RECALL_TARGET = 0.90
LABELS = Path(__file__).resolve().parents[4] / "tests" / "collector" / "relevance_labels"
"""The hand labels in the repository (a source checkout)."""


@dataclass
class Score:
    capture: str
    attribution: str
    listings: int
    items: int
    kept: int
    kept_items: int
    baseline_kept: int = 0
    baseline_kept_items: int = 0
    """The simple alternative: keep a listing whose title has every identifying word."""
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    """(listing id, title, what went wrong) for each kept non-item and dropped item."""

    @property
    def precision(self) -> float | None:
        return self.kept_items / self.kept if self.kept else None

    @property
    def recall(self) -> float | None:
        return self.kept_items / self.items if self.items else None

    @property
    def baseline_precision(self) -> float | None:
        return self.baseline_kept_items / self.baseline_kept if self.baseline_kept else None

    @property
    def baseline_recall(self) -> float | None:
        return self.baseline_kept_items / self.items if self.items else None

    @property
    def meets_targets(self) -> bool:
        """Precision when anything was kept, recall when there was anything to keep; a capture
        without the item meets them by keeping nothing."""
        p, r = self.precision, self.recall
        return (p is None or p >= PRECISION_TARGET) and (r is None or r >= RECALL_TARGET)


def _money(text: str) -> Decimal:
    try:
        return Decimal(text.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        return Decimal("0")


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def browse_listings(path: Path) -> dict[str, Listing]:
    """A Browse search answer, parsed by the eBay adapter itself; keyed by the legacy id."""
    seen = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    exchange = RawExchange("GET", f"https://api.ebay.com{BROWSE}", {}, 200, path.read_bytes(),
                           "application/json", 0.0, seen)  # fmt: skip
    return {x.marketplace_id.split("|")[1]: x for x in listings_from(exchange, 0)}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def finding_listings(path: Path) -> dict[str, Listing]:
    """A legacy Finding findCompletedItems answer (everything wrapped in arrays)."""
    body = json.loads(path.read_text())
    result = _first(_first(body["findCompletedItemsResponse"])["searchResult"])
    out = {}
    for item in result.get("item", []):
        status = _first(item["sellingStatus"])
        price = _first(status["currentPrice"])
        category = _first(item.get("primaryCategory")) or {}
        condition = _first(item.get("condition")) or {}
        item_id = _first(item["itemId"])
        out[item_id] = Listing(
            marketplace_id=item_id,
            title=_first(item["title"]),
            price=Decimal(price["__value__"]),
            currency=price["@currencyId"],
            kind="sold",
            observed_at=_when(_first(_first(item["listingInfo"]).get("endTime"))),
            categories=(
                (_first(category.get("categoryId")), _first(category.get("categoryName"))),
            ),
            condition_id=_first(condition.get("conditionId")),
        )
    return out


def sold_csv_listings(path: Path, rows: dict[str, str]) -> dict[str, Listing]:
    """Rows of a sold-cards CSV (Card Title, Price) selected by column values, keyed by row."""
    with path.open(encoding="utf-8-sig") as f:
        data = list(csv.DictReader(f))
    return {
        str(i): Listing(
            marketplace_id=str(i),
            title=r["Card Title"],
            price=_money(r["Price"]),
            currency="USD",
            kind="sold",
        )
        for i, r in enumerate(data)
        if all(r.get(k) == v for k, v in rows.items())
    }


def discogs_listings(path: Path) -> dict[str, Listing]:
    """Discogs marketplace listings (/marketplace/listings/{id}): the release's description
    as the title, its format as Discogs gives it."""
    out = {}
    for item in json.loads(path.read_text()):
        release = item["release"]
        out[str(item["id"])] = Listing(
            marketplace_id=str(item["id"]),
            title=release["description"],
            price=Decimal(str(item["price"]["value"])).quantize(Decimal("0.01")),
            currency=item["price"]["currency"],
            kind="ask",
            observed_at=_when(item.get("posted")),
            condition=item.get("condition"),
            format=release.get("format"),
        )
    return out


def _request(category: str, attribution: dict[str, Any]) -> PricingRequestedData:
    return PricingRequestedData(
        request_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        item_id=uuid.uuid4(),
        revision=1,
        category=category,  # type: ignore[arg-type]
        attribution={**attribution, "category": category},  # type: ignore[arg-type]
        source=SourceRef(id=uuid.uuid4(), name="relevance", adapter="ebay"),
    )


_IDENTIFYING = {
    "product": ("brand", "name", "variant"),
    "card": ("name", "set", "number", "year", "grade"),
    "coin": ("year", "mintmark", "denomination", "grade"),
    "record": ("artist", "title", "catalog_number"),
}


def all_words(category: str, attribution: dict[str, Any], title: str) -> bool:
    """The simple alternative to the filters: every word of the identifying fields is in the
    title (case and punctuation aside)."""
    have = set(tokens(title))
    wanted = {
        w
        for f in _IDENTIFYING[category]
        if attribution.get(f) is not None
        for w in tokens(str(attribution[f]))
    }
    return wanted <= have


def score_file(labels_path: Path, data: Path) -> list[Score]:
    spec = json.loads(labels_path.read_text())
    capture = data / spec["capture"]
    scores = []
    for att in spec["attributions"]:
        if spec["shape"] == "ebay_browse":
            listings = browse_listings(capture)
        elif spec["shape"] == "ebay_finding":
            listings = finding_listings(capture)
        elif spec["shape"] == "discogs_listings":
            listings = discogs_listings(capture)
        elif spec["shape"] == "sold_cards_csv":
            listings = sold_csv_listings(capture, att["rows"])
        else:
            raise ValueError(f"{labels_path.name}: unknown capture shape {spec['shape']!r}")
        labels: dict[str, dict[str, Any]] = att["listings"]
        if set(labels) != set(listings):
            raise ValueError(f"{labels_path.name}: the labels do not cover the capture's listings")
        ids = list(listings)
        dated = [x.observed_at for x in listings.values() if x.observed_at]
        now = max(dated) if dated else datetime.now(UTC)  # judged when it was captured
        points = to_price_points(
            [(listings[i], None) for i in ids],
            _request(att["category"], att["attribution"]),
            rates=Rates(),
            now=now,
        )
        score = Score(spec["capture"], att["label"], len(ids), 0, 0, 0)
        for i, point in zip(ids, points, strict=True):
            item, kept = bool(labels[i]["item"]), not point.filtered
            score.items += item
            score.kept += kept
            score.kept_items += item and kept
            simple = all_words(att["category"], att["attribution"], point.title)
            score.baseline_kept += simple
            score.baseline_kept_items += item and simple
            if item and not kept:
                score.wrong.append((i, point.title, f"dropped: {point.filtered_reason}"))
            elif kept and not item:
                score.wrong.append((i, point.title, f"kept, but {labels[i].get('why')}"))
        scores.append(score)
    return scores


def score_all(data: Path, labels: Path = LABELS) -> list[Score]:
    files = sorted(labels.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no label files in {labels}")
    return [s for f in files for s in score_file(f, data)]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def table(scores: Iterable[Score]) -> list[str]:
    """A Markdown table: one row per capture and attribution."""
    lines = [
        "| capture | attribution | listings | items | kept | precision | recall "
        "| all words: precision | all words: recall |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(
            f"| {s.capture} | {s.attribution} | {s.listings} | {s.items} | {s.kept} | "
            f"{_pct(s.precision)} | {_pct(s.recall)} | "
            f"{_pct(s.baseline_precision)} | {_pct(s.baseline_recall)} |"
        )
    return lines
