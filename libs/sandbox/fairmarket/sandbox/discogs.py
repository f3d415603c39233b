"""Discogs' database search and marketplace stats and price suggestions, in Discogs' formats."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from fairmarket.sandbox.catalog import RateWindow, Reference, references, stable_id, tokens
from fairmarket.sandbox.listings import _rng
from fairmarket.sandbox.throttle import too_many_requests

CONDITIONS = {
    "M": "Mint (M)",
    "NM": "Near Mint (NM or M-)",
    "VG+": "Very Good Plus (VG+)",
    "VG": "Very Good (VG)",
    "G+": "Good Plus (G+)",
    "G": "Good (G)",
    "F": "Fair (F)",
    "P": "Poor (P)",
}
_LADDER = {"M": 1.3, "NM": 1.0, "VG+": 0.55, "VG": 0.25, "G+": 0.15, "G": 0.1, "F": 0.05, "P": 0.02}


def _records() -> dict[int, Reference]:
    return {stable_id(r.id): r for r in references() if r.release}


def _result(release_id: int, ref: Reference) -> dict[str, Any]:
    rel = ref.release or {}
    slug = rel["title"].replace(" - ", "-").replace(" ", "-")
    return {
        "country": rel.get("country"),
        "year": str(rel.get("year")),
        "format": rel.get("format", []),
        "label": [rel.get("label")],
        "type": "release",
        "genre": ["Rock"],
        "style": [],
        "id": release_id,
        "catno": rel["catno"],
        "title": rel["title"],
        "thumb": "",
        "uri": f"/{slug}/release/{release_id}",
        "resource_url": f"https://api.discogs.com/releases/{release_id}",
        "community": {"want": 3100, "have": 5400},
    }


def _grade_prices(ref: Reference) -> dict[str, float]:
    nm = ref.grades.get("NM") or max(ref.grades.values())
    return {g: ref.grades.get(g, nm * share) for g, share in _LADDER.items()}


def router(state: Any) -> APIRouter:
    r = APIRouter()
    window = RateWindow(60)

    def refuse(authorization: str | None) -> JSONResponse | None:
        if (fault := state.fault()) is not None:
            return fault
        token = (authorization or "").removeprefix("Discogs token=").strip()
        if not authorization or not authorization.startswith("Discogs token=") or not token:
            return JSONResponse({"message": "You must authenticate to access this resource."}, 401)
        return too_many_requests(window, token, {"message": "You are making requests too quickly."})

    def release_or_refusal(release_id: int, authorization: str | None) -> Reference | JSONResponse:
        """The release the marketplace endpoints price, or the answer refusing the call."""
        if (refused := refuse(authorization)) is not None:
            return refused
        ref = _records().get(release_id)
        if ref is None:
            return JSONResponse({"message": "Release not found."}, status_code=404)
        return ref

    @r.get("/database/search")
    async def search(
        artist: str = "",
        release_title: str = "",
        catno: str = "",
        q: str = "",
        per_page: Annotated[int, Query(ge=1, le=100)] = 50,
        page: Annotated[int, Query(ge=1)] = 1,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        if (refused := refuse(authorization)) is not None:
            return refused
        words = tokens(" ".join((artist, release_title, catno, q)))
        hits = []
        for release_id, ref in _records().items():
            rel = ref.release or {}
            have = tokens(f"{rel['title']} {rel['catno']}")
            if words and words <= have | tokens(rel.get("label", "")):
                hits.append(_result(release_id, ref))
        chunk = hits[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(hits) // per_page))
        return JSONResponse(
            {
                "pagination": {
                    "page": page,
                    "pages": pages,
                    "per_page": per_page,
                    "items": len(hits),
                    "urls": {},
                },
                "results": chunk,
            }
        )

    @r.get("/marketplace/stats/{release_id}")
    async def stats(
        release_id: int,
        curr_abbr: str = "USD",
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        ref = release_or_refusal(release_id, authorization)
        if isinstance(ref, JSONResponse):
            return ref
        rng = _rng(ref.id, "stats", state.seed, state.now().date())
        lowest = min(ref.grades.values()) * rng.uniform(0.8, 1.0)
        return JSONResponse(
            {
                "lowest_price": {"currency": "USD", "value": round(lowest, 2)},
                "num_for_sale": rng.randint(5, 60),
                "blocked_from_sale": False,
            }
        )

    @r.get("/marketplace/price_suggestions/{release_id}")
    async def suggestions(
        release_id: int, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        ref = release_or_refusal(release_id, authorization)
        if isinstance(ref, JSONResponse):
            return ref
        rng = _rng(ref.id, "suggestions", state.seed, state.now().date())
        return JSONResponse(
            {
                CONDITIONS[g]: {"currency": "USD", "value": price * rng.uniform(0.93, 1.07)}
                for g, price in _grade_prices(ref).items()
            }
        )

    return r
