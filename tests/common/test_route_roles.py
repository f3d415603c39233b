"""Every /v1 route of every service, walked with every kind of caller.

The policy is declared here, route by route (viewer reads; staff takes in,
prices and imports; admin manages sources and excludes comps), so a new route
without a declared policy fails the test, and a route guarded by the wrong role
fails it too. Bad tokens of every kind get 401, a role below the route's 403,
and a role at or above it gets past the guard.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from fairmarket.cli.services import SERVICES
from fairmarket.common.auth import issue_token
from fairmarket.common.web import ErrorBody

POLICY = {
    ("intake", "POST", "/v1/intakes"): "staff",
    ("intake", "PUT", "/v1/intakes/{item_id}/attribution"): "staff",
    ("intake", "GET", "/v1/intakes/{item_id}"): "viewer",
    ("intake", "POST", "/v1/intakes/{item_id}/photos"): "staff",
    ("intake", "GET", "/v1/intakes/{item_id}/photos"): "viewer",
    ("intake", "GET", "/v1/intakes/{item_id}/photos/{photo_id}"): "viewer",
    ("catalog", "GET", "/v1/items"): "viewer",
    ("catalog", "GET", "/v1/items.csv"): "viewer",
    ("catalog", "GET", "/v1/items/{item_id}"): "viewer",
    ("catalog", "GET", "/v1/items/{item_id}/comps"): "viewer",
    ("catalog", "GET", "/v1/items/{item_id}/comps.csv"): "viewer",
    ("catalog", "GET", "/v1/items/{item_id}/valuations"): "viewer",
    ("catalog", "PUT", "/v1/items/{item_id}/comps/{price_point_id}/flag"): "admin",
    ("catalog", "POST", "/v1/items/{item_id}/pricing-runs"): "staff",
    ("catalog", "GET", "/v1/pricing-runs/{run_id}"): "viewer",
    ("catalog", "GET", "/v1/sources"): "viewer",
    ("catalog", "POST", "/v1/sources"): "admin",
    ("catalog", "GET", "/v1/sources/{source_id}"): "viewer",
    ("catalog", "PATCH", "/v1/sources/{source_id}"): "admin",
    ("catalog", "DELETE", "/v1/sources/{source_id}"): "admin",
    ("catalog", "POST", "/v1/sources/{source_id}/reprice"): "admin",
    ("catalog", "POST", "/v1/products"): "staff",
    ("catalog", "GET", "/v1/products"): "viewer",
    ("catalog", "GET", "/v1/products/{product_id}"): "viewer",
    ("catalog", "PATCH", "/v1/products/{product_id}"): "staff",
    ("catalog", "POST", "/v1/products/{product_id}/publish"): "staff",
    ("catalog", "POST", "/v1/products/{product_id}/unpublish"): "staff",
    ("catalog", "POST", "/v1/products/{product_id}/approve-price"): "admin",
    ("catalog", "POST", "/v1/products/{product_id}/reject-price"): "admin",
    ("catalog", "GET", "/v1/storefront/products"): "public",
    ("catalog", "GET", "/v1/storefront/products/{product_id}"): "public",
    ("catalog", "POST", "/v1/watches"): "admin",
    ("catalog", "GET", "/v1/watches"): "admin",
    ("catalog", "GET", "/v1/watches/{watch_id}"): "admin",
    ("catalog", "PATCH", "/v1/watches/{watch_id}"): "admin",
    ("catalog", "DELETE", "/v1/watches/{watch_id}"): "admin",
    ("catalog", "GET", "/v1/watches/{watch_id}/deliveries"): "admin",
    ("collector", "GET", "/v1/jobs/{request_id}"): "viewer",
    ("collector", "POST", "/v1/imports"): "staff",
    ("valuation", "GET", "/v1/valuations/{item_id}"): "viewer",
    ("valuation", "GET", "/v1/valuations/{item_id}/history"): "viewer",
}
RANK = {"viewer": 0, "staff": 1, "admin": 2}  # "public": no token needed
SECRET = "test-secret-" + "x" * 24  # tests/conftest.py's TEST_SECRET


def _bad_tokens() -> dict[str, str]:
    return {
        "no token": "",
        "garbage": "Bearer not-a-jwt",
        "wrong signature": "Bearer " + issue_token("another-secret-" + "y" * 24, "admin"),
        "expired": "Bearer " + issue_token(SECRET, "admin", ttl=timedelta(seconds=-60)),
        "wrong audience": "Bearer " + issue_token(SECRET, "admin", audience="someone-else"),
        "wrong issuer": "Bearer " + issue_token(SECRET, "admin", issuer="someone-else"),
        "unknown role": "Bearer " + _token_with_role("superuser"),
    }


def _token_with_role(role: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": "x", "role": role, "iss": "fairmarket", "aud": "fairmarket"}
    return jwt.encode({**claims, "iat": now, "exp": now + timedelta(hours=1)}, SECRET, "HS256")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_enforces_its_declared_role(service: str, service_app, bearer) -> None:
    client = await service_app(service)
    routes = {
        (service, method.upper(), path)
        for path, ops in client.app.openapi()["paths"].items()
        for method in ops
        if path.startswith("/v1")
    }
    declared = {key for key in POLICY if key[0] == service}
    assert routes == declared, f"undeclared: {routes - declared}; gone: {declared - routes}"
    checked = 0
    for _, method, path in sorted(routes):
        needed = POLICY[(service, method, path)]
        url = _concrete(path)
        if needed == "public":  # the storefront: any caller, token or not, gets an answer
            for why, header in _bad_tokens().items():
                headers = {"Authorization": header} if header else {}
                r = await client.request(method, url, headers=headers)
                assert r.status_code in (200, 404), (method, path, why, r.status_code)
                checked += 1
            continue
        for why, header in _bad_tokens().items():
            headers = {"Authorization": header} if header else {}
            r = await client.request(method, url, headers=headers, json={})
            assert r.status_code == 401, (method, path, why, r.status_code)
            assert ErrorBody.model_validate(r.json()).reason, "a 401 says why"
        for role, rank in RANK.items():
            r = await client.request(method, url, headers=bearer(role), json={})
            if rank < RANK[needed]:
                assert r.status_code == 403, (method, path, role, r.status_code, r.text)
            else:
                assert r.status_code not in (401, 403), (method, path, role, r.status_code)
                assert r.status_code < 500, (method, path, role, r.status_code, r.text)
            checked += 1
    print(f"\n{service}: {len(routes)} routes x (7 bad tokens + 3 roles) checked")


@pytest.mark.parametrize("service", SERVICES)
async def test_the_openapi_document_gives_the_error_shape_every_route_answers(
    service: str, service_app
) -> None:
    """A client generated from the document gets the real error body, not FastAPI's own."""
    client = await service_app(service)
    doc = client.app.openapi()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status in ("401", "403", "404", "422"):
                ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorBody", (method, path, status)
