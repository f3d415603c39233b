"""Discogs: resolve the release, then its marketplace stats and price suggestions.

Discogs has no sold-history API. The lowest current ask is an `ask` comp and the
price suggestions (one per media grade) are `guide` comps: neither is passed off
as a sale. Token auth; 60 requests a minute for an authenticated app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult, RawExchange, json_body
from fairmarket.collector.adapters.errors import MarketplaceError, json_answer
from fairmarket.collector.domain.listing import Listing
from fairmarket.common.events import PricingRequestedData, RecordAttribution

SEARCH = "/database/search"
STATS = "/marketplace/stats/"
SUGGESTIONS = "/marketplace/price_suggestions/"
_GRADE = re.compile(r"\(([^)]+)\)\s*$")


@dataclass(frozen=True)
class DiscogsConfig:
    base_url: str
    token: str
    currency: str = "USD"


@dataclass(frozen=True)
class Release:
    id: int
    title: str
    format: str | None = None
    """Discogs' format of the release ("Vinyl, LP, Album"), when its search gave one."""


def search_params(a: RecordAttribution) -> dict[str, str]:
    """Artist, title and catalog number: the catalog number alone pins a pressing."""
    params = {"type": "release", "per_page": "10", "page": "1"}
    for key, value in (
        ("artist", a.artist),
        ("release_title", a.title),
        ("catno", a.catalog_number),
        ("format", a.format),
    ):
        if value:
            params[key] = value
    return params


def _compact(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def pick_release(results: list[Any], a: RecordAttribution) -> Release | None:
    """The first release whose catalog number matches (when one is given), else the first."""
    releases = [r for r in results if isinstance(r, dict) and r.get("type") == "release"]
    if a.catalog_number:
        want = _compact(a.catalog_number)
        releases = [r for r in releases if _compact(r.get("catno")) == want] or []
    for r in releases:
        if isinstance(r.get("id"), int):
            label = r.get("title") or " - ".join(filter(None, (a.artist, a.title)))
            catno = r.get("catno") or a.catalog_number
            formats = r.get("format")
            fmt = ", ".join(map(str, formats)) if isinstance(formats, list) and formats else None
            return Release(r["id"], f"{label} ({catno})" if catno else str(label), fmt)
    return None


def media_grade(condition: str) -> str:
    """'Very Good Plus (VG+)' -> 'VG+'; 'Near Mint (NM or M-)' -> 'NM'."""
    match = _GRADE.search(condition)
    code = match.group(1) if match else condition
    return code.split(" or ")[0].strip()


def _money(block: Any) -> tuple[Decimal, str] | None:
    if not isinstance(block, dict) or block.get("value") is None:
        return None
    try:
        value = Decimal(str(block["value"])).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return value, str(block.get("currency") or "USD")


def _release_of(url: str, marker: str) -> int | None:
    tail = url.split(marker, 1)[1] if marker in url else ""
    return int(tail) if tail.isdigit() else None


def release_from(exchanges: list[RawExchange], a: RecordAttribution) -> Release | None:
    """The release a request priced: the one given, or the one its search picked."""
    if a.discogs_release_id:
        label = " - ".join(filter(None, (a.artist, a.title))) or "Discogs release"
        title = f"{label} ({a.catalog_number})" if a.catalog_number else label
        return Release(a.discogs_release_id, title)
    for x in exchanges:
        if x.url.endswith(SEARCH) and isinstance(body := json_body(x), dict):
            results = body.get("results")
            return pick_release(results, a) if isinstance(results, list) else None
    return None


def stats_listings(body: Any, release: Release, *, index: int, day: datetime) -> list[Listing]:
    if not isinstance(body, dict) or body.get("blocked_from_sale"):
        return []
    money = _money(body.get("lowest_price"))
    if money is None:
        return []
    count = body.get("num_for_sale")
    return [
        Listing(
            marketplace_id=f"{release.id}:lowest:{day.date().isoformat()}",
            title=f"{release.title} lowest ask of {count} for sale",
            price=money[0],
            currency=money[1],
            kind="ask",
            sale_format="fixed_price",
            observed_at=day,
            url=f"https://www.discogs.com/sell/release/{release.id}",
            exchange_index=index,
            format=release.format,
        )
    ]


def suggestion_listings(body: Any, release: Release, *, index: int, day: datetime) -> list[Listing]:
    if not isinstance(body, dict):
        return []
    out = []
    for condition, block in body.items():
        money = _money(block)
        if money is None or money[0] <= 0:
            continue
        grade = media_grade(str(condition))
        out.append(
            Listing(
                marketplace_id=f"{release.id}:suggestion:{grade}:{day.date().isoformat()}",
                title=f"{release.title} price suggestion {grade}",
                price=money[0],
                currency=money[1],
                kind="guide",
                observed_at=day,
                url=f"https://www.discogs.com/release/{release.id}",
                condition=str(condition),
                grade=grade,
                exchange_index=index,
                format=release.format,
            )
        )
    return out


class DiscogsAdapter:
    name = "discogs"
    rate_limit_per_minute: float | None = 60  # authenticated requests, per Discogs' docs

    def __init__(self, config: DiscogsConfig) -> None:
        self.config = config
        self.headers = {"Authorization": f"Discogs token={config.token}"}

    async def _get(
        self, http: Caller, result: FetchResult, path: str, params: dict[str, str] | None = None
    ) -> Any:
        response: httpx.Response = await http.call(
            result,
            "GET",
            f"{self.config.base_url}{path}",
            params=params or {},
            headers=self.headers,
        )
        if response.status_code == 404:
            return None
        return json_answer(response, "Discogs", path, shape=object)

    async def fetch(self, request: PricingRequestedData, http: Caller) -> FetchResult:
        a = request.attribution
        if not isinstance(a, RecordAttribution):
            return FetchResult.failed("unsupported", "Discogs prices records only")
        if not (a.discogs_release_id or a.artist or a.title or a.catalog_number):
            return FetchResult.failed("unsupported", "nothing to search for in the attribution")
        result = FetchResult()
        try:
            if not a.discogs_release_id:
                body = await self._get(http, result, SEARCH, search_params(a))
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise MarketplaceError(
                        "bad_answer", "Discogs search answered an unexpected body"
                    )
            release = release_from(result.exchanges, a)
            if release is None:
                result.error = "no Discogs release matches the attribution"
                return result
            for path, params in (
                (f"{STATS}{release.id}", {"curr_abbr": self.config.currency}),
                (f"{SUGGESTIONS}{release.id}", None),
            ):
                body = await self._get(http, result, path, params)
                if body is not None and not isinstance(body, dict):
                    raise MarketplaceError(
                        "bad_answer", f"Discogs answered an unexpected body for {path}"
                    )
        except MarketplaceError as exc:
            result.fail(exc)
        return result

    def parse(self, exchanges: list[RawExchange], request: PricingRequestedData) -> list[Listing]:
        a = request.attribution
        release = release_from(exchanges, a) if isinstance(a, RecordAttribution) else None
        if release is None:
            return []
        out: list[Listing] = []
        for index, x in enumerate(exchanges):
            body, day = json_body(x), x.requested_at.astimezone(UTC)
            if _release_of(x.url, STATS) == release.id:
                out += stats_listings(body, release, index=index, day=day)
            elif _release_of(x.url, SUGGESTIONS) == release.id:
                out += suggestion_listings(body, release, index=index, day=day)
        return out
