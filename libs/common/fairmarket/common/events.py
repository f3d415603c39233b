"""Event contracts shared by every service (DESIGN.md, "Events").

Every event is an envelope around a typed ``data`` payload. Topics are keyed by
``item_id`` so that one item's events keep their order through the pipeline.
Changes are additive within a schema version; a breaking change is a new version.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

Category = Literal["coin", "card", "record", "product"]
CompKind = Literal["sold", "ask", "auction", "guide"]
SaleFormat = Literal["auction", "fixed_price", "best_offer", "unknown"]
CompletionStatus = Literal["ok", "partial", "failed"]

ShortStr = Annotated[str, Field(max_length=500)]
RunSize = Annotated[
    int | None,
    Field(
        ge=1,
        le=1000,
        description="how many requests (one per source) the pricing run has; a valuation "
        "waits for all of their completions",
    ),
]
Text = Annotated[str, Field(max_length=4000)]


class Contract(BaseModel):
    """Base of every contract model; unknown keys are ignored so producers can add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


# --- attribution: one shape per category, discriminated by ``category`` ---


class CoinAttribution(Contract):
    category: Literal["coin"] = "coin"
    year: int | None = Field(default=None, ge=1, le=2100)
    mintmark: ShortStr | None = None
    denomination: ShortStr | None = None
    variety: ShortStr | None = None
    grade: ShortStr | None = None


class CardAttribution(Contract):
    category: Literal["card"] = "card"
    game: ShortStr | None = None
    set: ShortStr | None = None
    number: ShortStr | None = None
    name: ShortStr | None = None
    variant: ShortStr | None = None
    grade: ShortStr | None = None
    condition: ShortStr | None = None
    year: int | None = Field(default=None, ge=1, le=2100)


class RecordAttribution(Contract):
    category: Literal["record"] = "record"
    artist: ShortStr | None = None
    title: ShortStr | None = None
    label: ShortStr | None = None
    catalog_number: ShortStr | None = None
    format: ShortStr | None = None
    year: int | None = Field(default=None, ge=1, le=2100)
    media_grade: ShortStr | None = None
    sleeve_grade: ShortStr | None = None
    discogs_release_id: int | None = Field(default=None, ge=1)


class ProductAttribution(Contract):
    category: Literal["product"] = "product"
    brand: ShortStr | None = None
    name: ShortStr | None = None
    variant: ShortStr | None = None
    sku: ShortStr | None = None
    gtin: ShortStr | None = None


Attribution = Annotated[
    CoinAttribution | CardAttribution | RecordAttribution | ProductAttribution,
    Field(discriminator="category"),
]


# --- envelope ---

DataT = TypeVar("DataT", bound=Contract)


def _now() -> datetime:
    return datetime.now(UTC)


class Envelope(Contract, Generic[DataT]):
    """What every event carries besides its payload."""

    topic: ClassVar[str]

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    event_type: str
    schema_version: Literal[1] = SCHEMA_VERSION
    occurred_at: datetime = Field(default_factory=_now)
    producer: ShortStr
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    data: DataT

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a timezone")
        return value.astimezone(UTC)

    @property
    def key(self) -> str:
        """The partition key: every topic is keyed by item id."""
        return str(self.data.item_id)  # type: ignore[attr-defined]


# --- payloads ---


class IntakeAttributedData(Contract):
    item_id: uuid.UUID
    revision: int = Field(ge=1)
    category: Category
    attribution: Attribution
    title: ShortStr | None = None
    photos: list[ShortStr] = Field(default_factory=list, max_length=50)
    reason: Literal["created", "changed", "reprice"] = "created"


class SourceRef(Contract):
    id: uuid.UUID
    name: ShortStr
    adapter: ShortStr
    reputation: float = Field(default=1.0, ge=0, le=10)
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, description="the source's configured request rate (catalog)"
    )


class SourceRules(Contract):
    exclude_keywords: list[ShortStr] = Field(default_factory=list, max_length=200)
    include_keywords: list[ShortStr] = Field(default_factory=list, max_length=200)
    min_price_usd: Decimal | None = Field(default=None, ge=0)
    max_price_usd: Decimal | None = Field(default=None, ge=0)
    sold_only: bool = False
    lookback_days: int = Field(default=365, ge=1, le=3650)
    max_results: int = Field(default=200, ge=1, le=10_000)
    allowed_categories: list[ShortStr] = Field(default_factory=list, max_length=200)
    """Marketplace categories (id or name) a comp may be listed in; empty: any that is not
    an accessory, part or service category."""
    refused_categories: list[ShortStr] = Field(default_factory=list, max_length=200)
    """Marketplace categories (id or name) whose listings are never comps."""


class PricingRequestedData(Contract):
    request_id: uuid.UUID
    run_id: uuid.UUID
    item_id: uuid.UUID
    revision: int = Field(ge=1)
    category: Category
    attribution: Attribution
    title: ShortStr | None = None
    source: SourceRef
    rules: SourceRules = Field(default_factory=SourceRules)
    run_size: RunSize = None


class PricePointCollectedData(Contract):
    price_point_id: uuid.UUID
    item_id: uuid.UUID
    revision: int = Field(ge=1)
    request_id: uuid.UUID
    source: SourceRef
    kind: CompKind
    title: Text
    url: Text | None = None
    price: Decimal
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    shipping: Decimal = Decimal("0")
    total_usd_cents: int = Field(ge=0)
    observed_at: datetime
    sale_format: SaleFormat = "unknown"
    bids: int | None = Field(default=None, ge=0)
    quantity: int = Field(default=1, ge=1)
    condition: ShortStr | None = None
    grade: ShortStr | None = None
    match_score: float = Field(ge=0, le=1)
    filtered: bool = False
    filtered_reason: ShortStr | None = None
    raw_artifact_id: ShortStr | None = None


class PricingCompletedData(Contract):
    request_id: uuid.UUID
    run_id: uuid.UUID
    item_id: uuid.UUID
    revision: int = Field(ge=1)
    source: SourceRef
    status: CompletionStatus
    collected: int = Field(ge=0, description="pricepoint.collected events emitted for the request")
    filtered: int = Field(ge=0)
    error: Text | None = None
    item_grade: ShortStr | None = Field(
        default=None, description="the attributed grade or condition, for the valuation"
    )
    run_size: RunSize = None


class CompsCounts(Contract):
    total: int = Field(ge=0)
    used: int = Field(ge=0)
    outliers: int = Field(ge=0)
    filtered: int = Field(ge=0)


class SourceBreakdown(Contract):
    source: ShortStr
    comps: int = Field(ge=0)
    median_usd_cents: int | None = None
    weight_share: float = Field(ge=0, le=1)


class ConfidenceComponents(Contract):
    count: float
    reputation: float
    sold_ratio: float
    spread: float
    recency: float


class ValuationComputedData(Contract):
    item_id: uuid.UUID
    revision: int = Field(ge=1)
    version: int = Field(ge=1)
    method: ShortStr
    as_of: datetime
    fmv_usd_cents: int | None = None
    p10_usd_cents: int | None = None
    p50_usd_cents: int | None = None
    p90_usd_cents: int | None = None
    mean_usd_cents: int | None = None
    ci95_low_usd_cents: int | None = None
    ci95_high_usd_cents: int | None = None
    comps: CompsCounts
    sold_ratio: float = Field(ge=0, le=1)
    basis: Literal["sold", "ask", "guide", "mixed", "none"] = "none"
    sources: list[SourceBreakdown] = Field(default_factory=list)
    trend_pct_per_30d: float | None = None
    confidence: int = Field(ge=1, le=10)
    confidence_components: ConfidenceComponents
    explanation: Text
    inputs_hash: ShortStr
    previous_fmv_usd_cents: int | None = None
    outlier_price_point_ids: list[ShortStr] = Field(
        default_factory=list,
        max_length=100_000,
        description="the comps the outlier fences set aside in this valuation",
    )
    fmv_low_usd_cents: int | None = Field(
        default=None,
        description="low end of the 80% range of where the next two weeks' sales will "
        "settle (their median); unlike p10, a forecast, not the spread of past sales",
    )
    fmv_high_usd_cents: int | None = Field(default=None, description="high end of that 80% range")


class PricePointFlaggedData(Contract):
    price_point_id: uuid.UUID
    item_id: uuid.UUID
    excluded: bool
    reason: Text | None = None
    by: ShortStr


# --- events ---


class IntakeAttributed(Envelope[IntakeAttributedData]):
    topic: ClassVar[str] = "intake.attributed"
    event_type: Literal["intake.attributed"] = "intake.attributed"


class PricingRequested(Envelope[PricingRequestedData]):
    topic: ClassVar[str] = "pricing.requested"
    event_type: Literal["pricing.requested"] = "pricing.requested"


class PricePointCollected(Envelope[PricePointCollectedData]):
    topic: ClassVar[str] = "pricepoint.collected"
    event_type: Literal["pricepoint.collected"] = "pricepoint.collected"


class PricingCompleted(Envelope[PricingCompletedData]):
    topic: ClassVar[str] = "pricing.completed"
    event_type: Literal["pricing.completed"] = "pricing.completed"


class ValuationComputed(Envelope[ValuationComputedData]):
    topic: ClassVar[str] = "valuation.computed"
    event_type: Literal["valuation.computed"] = "valuation.computed"


class PricePointFlagged(Envelope[PricePointFlaggedData]):
    topic: ClassVar[str] = "pricepoint.flagged"
    event_type: Literal["pricepoint.flagged"] = "pricepoint.flagged"


EVENT_TYPES: dict[str, type[Envelope[Any]]] = {
    cls.topic: cls
    for cls in (
        IntakeAttributed,
        PricingRequested,
        PricePointCollected,
        PricingCompleted,
        ValuationComputed,
        PricePointFlagged,
    )
}

TOPICS: tuple[str, ...] = tuple(EVENT_TYPES)


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"
