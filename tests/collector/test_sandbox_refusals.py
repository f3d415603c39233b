"""The sandbox marketplace refuses as the real ones do, which the adapters' error handling is
tested against: eBay's 401 and 403 by scope, Discogs' and TCGplayer's 429 with Retry-After
over their rate windows, Discogs' 404 for an unknown release."""

from __future__ import annotations

import base64

import httpx
import pytest

from fairmarket.sandbox.app import create_app
from fairmarket.sandbox.ebay import INSIGHTS_SCOPE

BROWSE = "/buy/browse/v1/item_summary/search"
INSIGHTS = "/buy/marketplace_insights/v1_beta/item_sales/search"


@pytest.fixture
async def sandbox() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def ebay_token(sandbox: httpx.AsyncClient, scope: str | None = None) -> dict[str, str]:
    basic = base64.b64encode(b"client:secret").decode()
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    r = await sandbox.post(
        "/identity/v1/oauth2/token", data=form, headers={"Authorization": f"Basic {basic}"}
    )
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_ebay_browse_takes_any_live_token_and_insights_wants_its_scope(
    sandbox: httpx.AsyncClient,
) -> None:
    assert (await sandbox.get(BROWSE, params={"q": "morgan"})).status_code == 401
    base = await ebay_token(sandbox)
    insights_only = await ebay_token(sandbox, INSIGHTS_SCOPE)
    assert (await sandbox.get(BROWSE, params={"q": "x"}, headers=base)).status_code == 200
    assert (await sandbox.get(BROWSE, params={"q": "x"}, headers=insights_only)).status_code == 200
    refused = await sandbox.get(INSIGHTS, params={"q": "x"}, headers=base)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["errorId"] == 1100
    assert (
        await sandbox.get(INSIGHTS, params={"q": "x"}, headers=insights_only)
    ).status_code == 200


async def test_discogs_counts_calls_per_token_and_answers_429_with_retry_after(
    sandbox: httpx.AsyncClient,
) -> None:
    token = {"Authorization": "Discogs token=abc"}
    answers = [
        (await sandbox.get("/database/search", params={"q": "x"}, headers=token)).status_code
        for _ in range(61)
    ]
    assert answers == [200] * 60 + [429]
    throttled = await sandbox.get("/database/search", headers=token)
    assert throttled.json() == {"message": "You are making requests too quickly."}
    assert int(throttled.headers["Retry-After"]) >= 1
    other = {"Authorization": "Discogs token=another"}
    assert (await sandbox.get("/database/search", headers=other)).status_code == 200


async def test_discogs_an_unknown_release_is_404_and_no_token_401(
    sandbox: httpx.AsyncClient,
) -> None:
    token = {"Authorization": "Discogs token=abc"}
    for path in ("/marketplace/stats/1", "/marketplace/price_suggestions/1"):
        missing = await sandbox.get(path, headers=token)
        assert (missing.status_code, missing.json()) == (404, {"message": "Release not found."})
        assert (await sandbox.get(path)).status_code == 401


async def test_tcgplayer_answers_429_in_its_own_format_over_300_calls_a_minute(
    sandbox: httpx.AsyncClient,
) -> None:
    form = {"grant_type": "client_credentials", "client_id": "pub", "client_secret": "priv"}
    issued = (await sandbox.post("/token", data=form)).json()["access_token"]
    bearer = {"Authorization": f"bearer {issued}"}
    answers = [
        (await sandbox.get("/catalog/products", headers=bearer)).status_code for _ in range(301)
    ]
    # an empty search is answered (TCGplayer's 404 'No products were found.') and counted
    assert answers == [404] * 300 + [429]
    throttled = await sandbox.get("/catalog/products", headers=bearer)
    assert throttled.json() == {"success": False, "errors": ["Too many requests"], "results": []}
    assert int(throttled.headers["Retry-After"]) >= 1
