"""TCGplayer's token, catalog product search and product pricing, in TCGplayer's formats."""

from __future__ import annotations

import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Query
from fastapi.responses import JSONResponse

from fairmarket.sandbox.catalog import RateWindow, Reference, references, stable_id, tokens
from fairmarket.sandbox.listings import _rng
from fairmarket.sandbox.throttle import too_many_requests


def _cards() -> dict[int, Reference]:
    return {stable_id(r.id, 6): r for r in references() if r.tcgplayer}


def _failure(status: int, message: str) -> JSONResponse:
    return JSONResponse({"success": False, "errors": [message], "results": []}, status_code=status)


def router(state: Any) -> APIRouter:
    r = APIRouter()
    issued: dict[str, float] = {}
    window = RateWindow(300)

    @r.post("/token")
    async def token(
        grant_type: Annotated[str, Form()],
        client_id: Annotated[str, Form()] = "",
        client_secret: Annotated[str, Form()] = "",
    ) -> JSONResponse:
        if grant_type != "client_credentials" or not client_id or not client_secret:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        value = secrets.token_urlsafe(32)
        issued[value] = time.monotonic() + state.token_ttl
        return JSONResponse(
            {
                "access_token": value,
                "token_type": "bearer",
                "expires_in": state.token_ttl,
                "userName": client_id,
            }
        )

    def refuse(authorization: str | None) -> JSONResponse | None:
        if (fault := state.fault()) is not None:
            return fault
        value = (authorization or "").partition(" ")[2].strip()
        if issued.get(value, 0) < time.monotonic():
            return _failure(401, "Unauthorized")
        too_many = {"success": False, "errors": ["Too many requests"], "results": []}
        return too_many_requests(window, value, too_many)

    @r.get("/catalog/products")
    async def products(
        productName: str = "",
        categoryId: int | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        if (refused := refuse(authorization)) is not None:
            return refused
        words = tokens(productName)
        found = []
        for product_id, ref in _cards().items():
            card = ref.tcgplayer or {}
            if categoryId not in (None, card.get("category")) or not words:
                continue
            if words <= tokens(card["name"]):
                found.append(
                    {
                        "productId": product_id,
                        "name": card["name"],
                        "cleanName": card["name"],
                        "groupId": stable_id(card["set"], 4),
                        "categoryId": card.get("category"),
                        "url": f"https://www.tcgplayer.com/product/{product_id}",
                        "extendedData": [
                            {
                                "name": "Number",
                                "displayName": "Card Number",
                                "value": card["number"],
                            },
                            {"name": "Rarity", "displayName": "Rarity", "value": "Holo Rare"},
                        ],
                    }
                )
        if not found:
            return _failure(404, "No products were found.")
        return JSONResponse(
            {"success": True, "errors": [], "totalItems": len(found), "results": found[:limit]}
        )

    @r.get("/pricing/product/{ids}")
    async def pricing(
        ids: str, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        if (refused := refuse(authorization)) is not None:
            return refused
        cards = _cards()
        rows = []
        for raw in ids.split(","):
            ref = cards.get(int(raw)) if raw.strip().isdigit() else None
            if ref is None:
                continue
            for subtype, market in (ref.tcgplayer or {}).get("market", {}).items():
                rng = _rng(ref.id, subtype, state.seed, state.now().date())
                m = market * rng.uniform(0.95, 1.05)
                rows.append(
                    {
                        "productId": int(raw),
                        "lowPrice": round(m * 0.8, 2),
                        "midPrice": round(m * 1.02, 2),
                        "highPrice": round(m * 1.9, 2),
                        "marketPrice": round(m, 2),
                        "directLowPrice": None,
                        "subTypeName": subtype,
                    }
                )
        if not rows:
            return _failure(404, "No products were found.")
        return JSONResponse({"success": True, "errors": [], "results": rows})

    return r
