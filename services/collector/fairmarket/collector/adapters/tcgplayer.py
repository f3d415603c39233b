"""TCGplayer: product lookup, then `/pricing/product/{ids}` (market, low, mid, high, direct low).

These are price-guide figures, `guide` comps, never sales. Client-credentials
bearer token from the shop's public and private keys (the API is closed to new
developers, so only shops that already hold keys configure it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult, RawExchange, json_body
from fairmarket.collector.adapters.errors import MarketplaceError, json_answer
from fairmarket.collector.adapters.oauth import ClientCredentials
from fairmarket.collector.domain.listing import Listing
from fairmarket.common.events import CardAttribution, PricingRequestedData

PRODUCTS = "/catalog/products"
PRICING = "/pricing/product/"
CATEGORIES = {"magic": 1, "mtg": 1, "yugioh": 2, "yu-gi-oh": 2, "pokemon": 3, "pokémon": 3}
STATS = (
    ("marketPrice", "market price"),
    ("midPrice", "mid price"),
    ("lowPrice", "low price"),
    ("highPrice", "high price"),
    ("directLowPrice", "direct low price"),
)


@dataclass(frozen=True)
class TcgplayerConfig:
    base_url: str
    public_key: str
    private_key: str


def lookup_params(a: CardAttribution) -> dict[str, str]:
    params = {"productName": a.name or "", "limit": "20", "getExtendedFields": "true"}
    if a.game and (category := CATEGORIES.get(a.game.strip().lower())):
        params["categoryId"] = str(category)
    return params


def _extended(product: dict[str, Any], name: str) -> str | None:
    for field in product.get("extendedData") or []:
        if isinstance(field, dict) and field.get("name") == name:
            return str(field.get("value"))
    return None


def pick_products(results: Any, a: CardAttribution) -> dict[int, str]:
    """Products matching the card's number (when given), with a title for each."""
    if not isinstance(results, list):
        return {}
    picked: dict[int, str] = {}
    for p in results:
        if not isinstance(p, dict) or not isinstance(p.get("productId"), int):
            continue
        number = _extended(p, "Number")
        if (
            a.number
            and number
            and number.split("/")[0].lstrip("0") != a.number.split("/")[0].lstrip("0")
        ):
            continue
        parts = [p.get("name") or a.name, a.set, f"#{number}" if number else None]
        picked[p["productId"]] = " ".join(str(x) for x in parts if x)
    return dict(list(picked.items())[:5])


def wanted_subtype(subtype: str, a: CardAttribution, subtypes: set[str]) -> bool:
    """The printing asked for: the attributed variant, else Normal where a card has one."""
    if a.variant:
        return a.variant.lower() in subtype.lower() or subtype.lower() in a.variant.lower()
    return subtype == "Normal" or "Normal" not in subtypes


def pricing_listings(
    body: Any, products: dict[int, str], a: CardAttribution, *, index: int, exchange: RawExchange
) -> list[Listing]:
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        return []
    rows = [r for r in results if isinstance(r, dict) and r.get("productId") in products]
    subtypes = {str(r.get("subTypeName")) for r in rows}
    day = exchange.requested_at.astimezone(UTC)
    out = []
    for row in rows:
        subtype = str(row.get("subTypeName") or "Normal")
        if not wanted_subtype(subtype, a, subtypes):
            continue
        for key, label in STATS:
            if row.get(key) is None:
                continue
            try:
                price = Decimal(str(row[key])).quantize(Decimal("0.01"))
            except InvalidOperation:
                continue
            product = row["productId"]
            out.append(
                Listing(
                    marketplace_id=f"{product}:{subtype}:{key}:{day.date().isoformat()}",
                    title=f"{products[product]} {subtype} TCGplayer {label}",
                    price=price,
                    currency="USD",
                    kind="guide",
                    observed_at=day,
                    url=f"https://www.tcgplayer.com/product/{product}",
                    condition="Near Mint",
                    grade="NM",  # guide prices are for raw near-mint copies
                    exchange_index=index,
                )
            )
    return out


def _results(body: dict[str, Any], path: str) -> list[Any]:
    """The body's `results` list; a body without one is no answer we can use."""
    results = body.get("results")
    if not isinstance(results, list):
        raise MarketplaceError("bad_answer", f"TCGplayer answered no result list for {path}")
    return results


class TcgplayerAdapter:
    name = "tcgplayer"
    rate_limit_per_minute: float | None = 300  # TCGplayer asks for no more than ~5 a second

    def __init__(self, config: TcgplayerConfig) -> None:
        self.config = config
        self.credentials = ClientCredentials(
            "TCGplayer",
            f"{config.base_url}/token",
            config.public_key,
            config.private_key,
            basic_auth=False,
        )

    async def _get(
        self, http: Caller, result: FetchResult, path: str, params: dict[str, str] | None = None
    ) -> Any:
        for attempt in range(2):
            token = await self.credentials.token(http, result)
            response: httpx.Response = await http.call(
                result,
                "GET",
                f"{self.config.base_url}{path}",
                params=params or {},
                headers={"Authorization": f"bearer {token}", "Accept": "application/json"},
            )
            if response.status_code == 401 and attempt == 0:
                self.credentials.invalidate()
                continue
            break
        if response.status_code == 404:
            return {"results": []}  # TCGplayer answers 404 when nothing matches
        return json_answer(response, "TCGplayer", path)

    async def fetch(self, request: PricingRequestedData, http: Caller) -> FetchResult:
        a = request.attribution
        if not isinstance(a, CardAttribution):
            return FetchResult.failed("unsupported", "TCGplayer prices cards only")
        if not a.name:
            return FetchResult.failed("unsupported", "TCGplayer needs the card's name")
        result = FetchResult()
        try:
            body = await self._get(http, result, PRODUCTS, lookup_params(a))
            products = pick_products(_results(body, PRODUCTS), a)
            if not products:
                result.error = "no TCGplayer product matches the attribution"
                return result
            _results(await self._get(http, result, PRICING + ",".join(map(str, products))), PRICING)
        except MarketplaceError as exc:
            result.fail(exc)
        return result

    def parse(self, exchanges: list[RawExchange], request: PricingRequestedData) -> list[Listing]:
        a = request.attribution
        if not isinstance(a, CardAttribution):
            return []
        products: dict[int, str] = {}
        out: list[Listing] = []
        for index, x in enumerate(exchanges):
            body = json_body(x)
            if x.url.endswith(PRODUCTS) and isinstance(body, dict):
                products = pick_products(body.get("results"), a)
            elif PRICING in x.url:
                out += pricing_listings(body, products, a, index=index, exchange=x)
        return out
