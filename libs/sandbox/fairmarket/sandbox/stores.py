"""A Shopify store (`/products.json`) and a WooCommerce store (the Store API), in their formats.

Both stock the reference retail products among other goods of the shop, so
that the collector has to pick the right product, variant and size.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from fairmarket.sandbox.catalog import references, stable_id, tokens
from fairmarket.sandbox.listings import _rng

FILLER = (
    ("Hario", "V60 Ceramic Dripper", {"Size 02": 27.0}),
    ("Fellow", "Stagg EKG Electric Kettle", {"Matte Black": 165.0}),
    ("Onyx Coffee Lab", "Southern Weather Whole Bean Coffee", {"250g": 19.0, "1kg": 62.0}),
    ("Onyx Coffee Lab", "Geometry Cold Brew Pack", {"4 pack": 24.0}),
    ("Chemex", "Bonded Filters", {"100 count": 12.5}),
    ("Baratza", "Encore Burr Grinder", {"Default Title": 149.95}),
)


def _catalog(seed: int, day: object) -> list[tuple[int, str, str, dict[str, float]]]:
    """(id, vendor, name, {variant: price}) for every product the store sells today."""
    goods = [(f.get("vendor", ""), f["name"], f["variants"]) for f in _stored()] + list(FILLER)
    out = []
    for vendor, name, variants in goods:
        rng = _rng(vendor, name, seed, day)
        priced = {v: round(p * rng.uniform(0.92, 1.08), 2) for v, p in variants.items()}
        out.append((stable_id(f"{vendor}|{name}", 9), vendor, name, priced))
    return out


def _stored() -> list[dict[str, Any]]:
    return [r.store for r in references() if r.store]


def _handle(name: str) -> str:
    return "-".join(sorted(tokens(name), key=name.lower().find))


def router(state: Any) -> APIRouter:
    r = APIRouter()

    @r.get("/products.json")
    async def shopify(
        limit: Annotated[int, Query(ge=1, le=250)] = 30,
        page: Annotated[int, Query(ge=1)] = 1,
    ) -> JSONResponse:
        if (fault := state.fault()) is not None:
            return fault
        products = []
        for pid, vendor, name, variants in _catalog(state.seed, state.now().date()):
            products.append(
                {
                    "id": pid,
                    "title": name,
                    "handle": _handle(name),
                    "vendor": vendor,
                    "product_type": "Coffee",
                    "updated_at": state.now().isoformat(),
                    "variants": [
                        {
                            "id": pid * 10 + n,
                            "title": variant,
                            "option1": variant,
                            "price": f"{price:.2f}",
                            "compare_at_price": None,
                            "available": True,
                            "sku": f"{_handle(name)}-{n}",
                            "updated_at": state.now().isoformat(),
                        }
                        for n, (variant, price) in enumerate(variants.items())
                    ],
                }
            )
        return JSONResponse({"products": products[(page - 1) * limit : page * limit]})

    @r.get("/wp-json/wc/store/v1/products")
    async def woocommerce(
        search: str = "",
        per_page: Annotated[int, Query(ge=1, le=100)] = 10,
        page: Annotated[int, Query(ge=1)] = 1,
    ) -> JSONResponse:
        if (fault := state.fault()) is not None:
            return fault
        words = tokens(search)
        rows = []
        for pid, vendor, name, variants in _catalog(state.seed + 1, state.now().date()):
            if words and not words <= tokens(f"{vendor} {name}"):
                continue
            for n, (variant, price) in enumerate(variants.items()):
                minor = str(round(price * 100))
                title = name if variant == "Default Title" else f"{name} - {variant}"
                rows.append(
                    {
                        "id": pid + n,
                        "name": f"{vendor} {title}",
                        "slug": _handle(title),
                        "type": "simple",
                        "permalink": f"https://shop.example/product/{_handle(title)}/",
                        "sku": f"{_handle(name)}-{n}",
                        "prices": {
                            "price": minor,
                            "regular_price": minor,
                            "sale_price": minor,
                            "price_range": None,
                            "currency_code": "USD",
                            "currency_symbol": "$",
                            "currency_minor_unit": 2,
                            "currency_decimal_separator": ".",
                            "currency_thousand_separator": ",",
                            "currency_prefix": "$",
                            "currency_suffix": "",
                        },
                        "is_in_stock": True,
                        "is_purchasable": True,
                    }
                )
        chunk = rows[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(rows) // per_page))
        return JSONResponse(
            chunk, headers={"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(pages)}
        )

    return r
