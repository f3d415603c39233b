"""One or two plain sentences that say what the numbers are and why to trust them.

Every figure in the text is one of the valuation's fields, formatted by
``usd``, so the tests can check the text against the fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairmarket.valuation.domain.model import ConfidenceParts, GradeAdjustment

_SOURCE_NAMES = {
    "ebay": "eBay",
    "heritage": "Heritage",
    "discogs": "Discogs",
    "tcgplayer": "TCGplayer",
    "pcgs": "PCGS",
    "ngc": "NGC",
    "shopify": "Shopify",
    "woocommerce": "WooCommerce",
    "manual": "manual entries",
    "cardladder": "Card Ladder",
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the explanation needs; all of it is also in the valuation."""

    mode: str
    window_days: float | None
    n_sales: int
    n_listings: int
    listing_kind: str  # "asking prices" | "guide values" | "asks and guide values"
    sources: tuple[str, ...]  # by weight share, largest first
    outliers: int
    screened: bool  # False: too few comps to look for outliers
    fmv: int | None
    p10: int | None
    p50: int | None
    p90: int | None
    ask_cap: int | None
    low: int | None  # the 80% forward range
    high: int | None
    level_sales: int  # sales the level read (0: the weighted median stands)
    trend_pct: float | None
    newest_age_days: float | None
    typical_age_days: float | None  # weighted median age of the comps used
    confidence: int
    parts: ConfidenceParts
    sold_ratio: float
    grade: str | None
    grade_adjustments: tuple[GradeAdjustment, ...]
    grade_left_out: int  # another grade, no ratio learned
    grade_not_needed: int  # another grade, enough sales of the item's own
    filtered: int
    excluded: int


def usd(cents: int) -> str:
    """$1,234 from $100 up (whole dollars), $41.50 below."""
    if abs(cents) >= 10_000:
        return f"${round(cents / 100):,}"
    return f"${cents / 100:,.2f}"


def source_name(source: str) -> str:
    return _SOURCE_NAMES.get(source.lower(), source)


def age_text(days: float) -> str:
    if days < 1.5:
        return "1 day" if days >= 0.5 else "today"
    if days < 60:
        return f"{round(days)} days"
    if days < 700:
        return f"{round(days / 30.44)} months"
    return f"{round(days / 365.25)} years"


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _sources(sources: tuple[str, ...]) -> str:
    names = [source_name(s) for s in sources[:3]]
    if len(sources) > 3:
        names.append(f"{len(sources) - 3} more")
    return _join(names)


def _evidence(f: Facts) -> str:
    where = f" from {_sources(f.sources)}" if f.sources else ""
    window = f" in the last {round(f.window_days or 0)} days"
    sales = _plural(f.n_sales, "sold comp")
    listings = f.listing_kind if f.n_listings != 1 else f.listing_kind.removesuffix("s")
    if f.mode == "listings":
        text = f"No sales: {f.n_listings} {listings}{where}{window}"
        return text + (
            ", which usually run above sales" if f.listing_kind == "asking prices" else ""
        )
    if f.mode == "rare":
        newest = age_text(f.newest_age_days or 0.0)
        text = f"Sales are rare: the last {sales}{where}, the newest {newest} ago"
    else:
        text = f"{sales}{where}{window}"
    if f.n_listings:
        text += f", plus {f.n_listings} {listings} since sales are thin"
    return text


def _grades(f: Facts) -> str:
    text = ""
    if f.grade_adjustments:
        parts = [f"{a.comps} {a.from_grade} x{a.ratio:.2f}" for a in f.grade_adjustments]
        text = (
            f" (with {', '.join(parts)}: adjusted to {f.grade} by ratios learned from these comps)"
        )
    if f.grade_not_needed:
        text += f", {f.grade_not_needed} of other grades left out (enough {f.grade} sales)"
    if f.grade_left_out:
        text += f", {f.grade_left_out} of other grades left out (no ratio to {f.grade} learned)"
    return text


def _numbers(f: Facts) -> str:
    assert f.p10 is not None and f.p50 is not None and f.p90 is not None and f.fmv is not None
    noun = "comps" if f.mode == "listings" or f.n_listings else "sales"
    capped = f" capped at {usd(f.fmv)} by current asks" if f.ask_cap is not None else ""
    if f.level_sales:
        level = f"the running level of {_plural(f.level_sales, 'sale')}"
        median = f"value {usd(f.fmv)} ({level}{capped}), median {usd(f.p50)}"
    elif capped:
        median = f"median {usd(f.p50)}{capped}"
    else:
        median = f"median {usd(f.fmv)}"
    if f.p10 == f.p90:
        text = f"{median}, 80% of {noun} at {usd(f.p10)}"
    else:
        text = f"{median}, 80% of {noun} between {usd(f.p10)} and {usd(f.p90)}"
    if f.trend_pct is not None and abs(f.trend_pct) >= 1.0:
        way = "up" if f.trend_pct > 0 else "down"
        text += f", trending {way} {abs(f.trend_pct):.0f}% per 30 days"
    return text + _likely(f)


def _likely(f: Facts) -> str:
    """The 80% forward range, in the words a shop would use."""
    if f.low is None or f.high is None:
        return ""
    n = f.level_sales or (f.n_sales + f.n_listings)
    noun = "sales" if f.level_sales or not f.n_listings else "comps"
    what = f"{n} {noun}" if n != 1 else f"1 {noun.removesuffix('s')}"
    span = usd(f.low) if f.low == f.high else f"{usd(f.low)}-{usd(f.high)}"
    return f"; likely {span} over the next two weeks, from {what}"


def _why(f: Facts) -> str:
    p = f.parts
    reasons: list[str] = []
    n = f.n_sales + f.n_listings
    reasons.append(
        "many comps" if p.count >= 2.5 else "few comps" if p.count < 1.5 else "some comps"
    )
    if f.mode == "rare":
        reasons.append("rare sales")
    if f.sold_ratio < 0.5:
        reasons.append("mostly asks" if f.listing_kind != "guide values" else "mostly guide values")
    elif f.sold_ratio >= 0.999 and f.mode != "rare":
        reasons[0] = reasons[0].replace("comps", "sold comps")
    if n < 3:
        reasons.append("too few to judge the spread")
    elif p.spread >= 2.0:
        reasons.append("narrow likely range")
    elif p.spread < 1.0:
        reasons.append("wide likely range")
    if p.reputation < 1.5:
        reasons.append("low-reputation sources")
    if p.recency < 0 and f.mode != "rare":
        reasons.append(f"comps about {age_text(f.typical_age_days or 0.0)} old")
    return f"Confidence {f.confidence}/10: {', '.join(reasons)}."


def explain(f: Facts) -> str:
    if f.fmv is None:
        return _nothing(f)
    if not f.screened:
        screen = ", too few to screen for outliers"
    else:
        screen = f", {_plural(f.outliers, 'outlier')} removed" if f.outliers else ", no outliers"
    return f"{_evidence(f)}{_grades(f)}{screen}: {_numbers(f)}. {_why(f)}"


def _nothing(f: Facts) -> str:
    dropped = []
    if f.filtered:
        dropped.append(f"{f.filtered} filtered as junk")
    if f.excluded:
        dropped.append(f"{f.excluded} excluded")
    if f.grade_left_out:
        dropped.append(f"{f.grade_left_out} of other grades, no ratio to {f.grade} learned")
    if dropped:
        what = f"No usable comps ({', '.join(dropped)})"
    else:
        what = "No comps"
    return f"{what}: no price. Confidence 1/10."
