"""Console accounts over real HTTP (in-process app, real PostgreSQL): sign-in, the cookie's
claims and flags, CSRF, throttling, roles, sign-out and disabling."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from fairmarket.catalog import accounts
from fairmarket.catalog.console.install import ROUTERS
from fairmarket.catalog.db import SCHEMA
from fairmarket.catalog.domain.sign_in_throttle import ADDRESS_FREE_FAILURES, FREE_FAILURES
from fairmarket.common.auth import verify_token
from fairmarket.common.db import make_engine

pytestmark = pytest.mark.integration
SECRET = "test-secret-" + "x" * 24
PASSWORD = "correct horse battery"


async def _user(db: str, email: str, role: str, password: str | None = PASSWORD) -> str:
    engine = make_engine(db, schema=SCHEMA, pool_size=1)
    try:
        async with engine.begin() as conn:
            _, password = await accounts.add_user(conn, email, role, password)
    finally:
        await engine.dispose()
    return password


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


async def _sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Any:
    form = await client.get("/console/sign-in")
    return await client.post(
        "/console/sign-in",
        data={"csrf_token": _csrf(form), "email": email, "password": password, "next": ""},
    )


async def test_sign_in_sets_a_cookie_with_the_api_claims(
    service_app: Any, migrated_db: str
) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "Clerk@Shop.example", "staff")

    away = await catalog.get("/console/items?category=coin")
    assert away.status_code == 303
    assert away.headers["location"].startswith("/console/sign-in?next=/console/items")

    done = await _sign_in(catalog, "clerk@shop.example")
    assert done.status_code == 303, done.text
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("fm_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test
    token = catalog.cookies["fm_session"]
    principal = verify_token(token, SECRET)
    assert (principal.subject, principal.role.value) == ("clerk@shop.example", "staff")
    # the same claims the API checks: the session's token is a valid API token too
    api = await catalog.get("/v1/items", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200

    page = await catalog.get("/console/items")
    assert page.status_code == 200 and "clerk@shop.example" in page.text
    assert 'href="/console/take-in"' in page.text  # staff take in

    out = await catalog.post("/console/sign-out", data={"csrf_token": _csrf(page)})
    assert out.status_code == 303
    catalog.cookies.set("fm_session", token)  # the old cookie, kept by a thief
    again = await catalog.get("/console/items")
    assert again.status_code == 303 and "/console/sign-in" in again.headers["location"]


async def test_posts_without_the_csrf_token_are_refused(service_app: Any, migrated_db: str) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "admin1@shop.example", "admin")
    # even the sign-in form (login CSRF)
    refused = await catalog.post(
        "/console/sign-in", data={"email": "admin1@shop.example", "password": PASSWORD}
    )
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert "fm_session" not in catalog.cookies

    assert (await _sign_in(catalog, "admin1@shop.example")).status_code == 303
    for wrong in ({}, {"csrf_token": "forged"}):
        post = await catalog.post(
            "/console/users", data={"email": "x@shop.example", **wrong, "role": "staff"}
        )
        assert post.status_code == 403 and "CSRF" in post.text
    users = await catalog.get("/console/users")
    assert "x@shop.example" not in users.text  # nothing was done


async def test_repeated_failures_are_slowed_down(service_app: Any, migrated_db: str) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "slow@shop.example", "viewer")
    for _ in range(FREE_FAILURES):
        wrong = await _sign_in(catalog, "slow@shop.example", "not the password")
        assert wrong.status_code == 401 and "wrong email or password" in wrong.text
    # now even the right password waits: the next try is refused with the time to wait
    blocked = await _sign_in(catalog, "slow@shop.example")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert "too many failed sign-ins" in blocked.text
    unknown = await _sign_in(catalog, "nobody@shop.example")
    assert unknown.status_code == 401 and "wrong email or password" in unknown.text


def _from(catalog: Any, address: str) -> httpx.AsyncClient:
    """Another browser on the same app, connecting from `address`."""
    transport = httpx.ASGITransport(app=catalog.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://catalog")


async def test_guessing_across_accounts_from_one_address_is_slowed_down(
    service_app: Any, migrated_db: str
) -> None:
    """No account reaches its own limit (one guess each), but the address does: then even a
    right password from there waits, while the same account signs in from elsewhere."""
    catalog = await service_app("catalog")
    await _user(migrated_db, "spray@shop.example", "staff")
    async with _from(catalog, "198.51.100.7") as guesser, _from(catalog, "198.51.100.8") as clerk:
        for n in range(ADDRESS_FREE_FAILURES - 1):
            wrong = await _sign_in(guesser, f"guess{n}@shop.example", "guessed password")
            assert wrong.status_code == 401 and "wrong email or password" in wrong.text
        last = await _sign_in(guesser, "spray@shop.example", "guessed password")
        assert last.status_code == 401  # the address's last free failure
        blocked = await _sign_in(guesser, "spray@shop.example")
        assert blocked.status_code == 429, blocked.text
        assert "too many failed sign-ins from this address" in blocked.text
        assert int(blocked.headers["retry-after"]) >= 1
        assert "fm_session" not in guesser.cookies
        elsewhere = await _sign_in(clerk, "spray@shop.example")
        assert elsewhere.status_code == 303, elsewhere.text  # one failure: the account is fine
        assert "fm_session" in clerk.cookies


async def test_a_viewer_reads_but_is_refused_every_change(
    service_app: Any, migrated_db: str
) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "look@shop.example", "viewer")
    assert (await _sign_in(catalog, "look@shop.example")).status_code == 303
    page = await catalog.get("/console/products")
    assert page.status_code == 200
    assert "Take in" not in page.text and "Users" not in page.text
    csrf = _csrf(page)
    product = "00000000-0000-0000-0000-000000000001"
    for path, data in (
        (f"/console/products/{product}/publish", {}),
        (f"/console/products/{product}/approve-price", {}),
        ("/console/take-in", {"category": "coin"}),
        ("/console/users", {"email": "me2@shop.example", "role": "admin"}),
        ("/console/watches", {"kind": "fmv_above", "value": "1", "url": "https://x.example"}),
        (f"/console/watches/{product}/enabled", {"enabled": "false"}),
        (f"/console/watches/{product}/delete", {}),
    ):
        forged = await catalog.post(path, data={"csrf_token": csrf, **data})
        assert forged.status_code == 403, (path, forged.text)
        assert "role viewer may not do this" in forged.text


async def test_a_watch_form_refused_by_the_apis_rules_says_why_next_to_the_field(
    service_app: Any, migrated_db: str
) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "watcher@shop.example", "admin")
    assert (await _sign_in(catalog, "watcher@shop.example")).status_code == 303
    csrf = _csrf(await catalog.get("/console/watches"))
    base = {"csrf_token": csrf, "query": "Morgan", "kind": "fmv_above", "url": "https://x.example"}
    for changed, field, reason in (
        ({"value": "lots"}, "value", "a number, please"),
        ({"value": "-5"}, "value", "greater than or equal to 0"),  # WatchIn's Condition
        ({"value": "5", "kind": "fmv_sideways"}, "kind", "Input should be"),
        ({"value": "5", "url": "ftp://x"}, "url", "at least 8 characters"),
    ):
        refused = await catalog.post("/console/watches", data={**base, **changed})
        assert refused.status_code == 422, (changed, refused.text[:300])
        shown = re.search(rf'id="e-{field}">([^<]+)<', refused.text)
        assert shown and reason in shown.group(1), (changed, shown)
        assert 'value="Morgan"' in refused.text  # the form keeps what was typed
    assert "No watches yet." in (await catalog.get("/console/watches")).text


async def test_one_time_password_then_disabling_ends_the_session(
    service_app: Any, migrated_db: str
) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "boss@shop.example", "admin")
    assert (await _sign_in(catalog, "boss@shop.example")).status_code == 303
    users = await catalog.get("/console/users")
    added = await catalog.post(
        "/console/users",
        data={"csrf_token": _csrf(users), "email": " New@Shop.example ", "role": "staff"},
    )
    assert added.status_code == 200, added.text
    one_time = re.search(r'id="one-time-password">([^<]+)<', added.text).group(1)  # type: ignore[union-attr]
    again = await catalog.post(
        "/console/users",
        data={"csrf_token": _csrf(users), "email": "new@shop.example", "role": "staff"},
    )
    assert again.status_code == 422 and "new@shop.example has an account already" in again.text
    no_role = await catalog.post(
        "/console/users",
        data={"csrf_token": _csrf(users), "email": "other@shop.example", "role": "owner"},
    )
    assert no_role.status_code == 422 and "&#39;owner&#39; is not a role" in no_role.text
    own_id = re.search(
        r'data-email="boss@shop.example">.*?action="/console/users/([0-9a-f-]+)"', users.text, re.S
    ).group(1)  # type: ignore[union-attr]
    for demotion in ({"disabled": "true"}, {"role": "staff"}):
        refused = await catalog.post(
            f"/console/users/{own_id}", data={"csrf_token": _csrf(users), **demotion}
        )
        assert refused.status_code == 422
        assert "an admin cannot demote or disable themself" in refused.text
    assert (await catalog.get("/console/users")).status_code == 200  # still an admin
    person = httpx.AsyncClient(transport=catalog._transport, base_url="http://catalog")
    async with person:
        first = await _sign_in(person, "new@shop.example", one_time)
        assert first.headers["location"] == "/console/password"
        blocked = await person.get("/console/items")
        assert blocked.headers["location"] == "/console/password"
        form = await person.get("/console/password")
        short = await person.post(
            "/console/password",
            data={"csrf_token": _csrf(form), "password": "short", "password_again": "short"},
        )
        assert short.status_code == 422 and "at least 10 characters" in short.text
        chosen = await person.post(
            "/console/password",
            data={"csrf_token": _csrf(form), "password": PASSWORD, "password_again": PASSWORD},
        )
        assert chosen.status_code == 303
        assert (await person.get("/console/items")).status_code == 200

        users = await catalog.get("/console/users")
        user_id = re.search(
            r'data-email="new@shop.example">.*?action="/console/users/([0-9a-f-]+)"',
            users.text,
            re.S,
        ).group(1)  # type: ignore[union-attr]
        off = await catalog.post(
            f"/console/users/{user_id}", data={"csrf_token": _csrf(users), "disabled": "true"}
        )
        assert off.status_code == 303
        gone = await person.get("/console/items")
        assert gone.status_code == 303 and "/console/sign-in" in gone.headers["location"]
        refused = await _sign_in(person, "new@shop.example")
        assert refused.status_code == 401 and "disabled" in refused.text


async def test_cookies_are_secure_under_https(service_app: Any, migrated_db: str) -> None:
    catalog = await service_app("catalog")
    await _user(migrated_db, "tls@shop.example", "viewer")
    async with httpx.AsyncClient(transport=catalog._transport, base_url="https://catalog") as tls:
        done = await _sign_in(tls, "tls@shop.example")
        assert done.status_code == 303
    cookies = [c for c in done.headers.get_list("set-cookie") if c.startswith("fm_session=")]
    assert cookies and "Secure" in cookies[0] and "HttpOnly" in cookies[0]


async def test_no_console_route_is_open_to_a_signed_out_visitor(service_app: Any) -> None:
    """Every console route (every router the console mounts), walked signed out: pages send
    to sign-in, posts are refused; only the sign-in page itself answers."""
    catalog = await service_app("catalog")
    some_id = "00000000-0000-0000-0000-000000000001"
    open_paths = {"/console/sign-in", "/console"}  # the sign-in page, a redirect to the items
    walked = 0
    for route in (r for router in ROUTERS for r in router.routes):
        path = getattr(route, "path", "")
        if not path.startswith("/console") or path in open_paths or path == "/console/static":
            continue
        url = re.sub(r"\{[^}]+\}", some_id, path).replace(
            f"products/{some_id}/{some_id}", f"products/{some_id}/publish"
        )
        for method in route.methods:  # type: ignore[attr-defined]
            response = await catalog.request(method, url)
            walked += 1
            if method == "GET":
                assert response.status_code == 303, (method, path)
                assert response.headers["location"].startswith("/console/sign-in?next=")
            else:
                assert response.status_code in (303, 403), (method, path, response.text)
                assert "fm_session" not in response.headers.get("set-cookie", "")
    assert walked >= 20


async def test_take_in_with_the_intake_down_says_so_and_keeps_the_form(
    service_app: Any, migrated_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARKET_INTAKE_URL", "http://127.0.0.1:9")  # nothing listens
    catalog = await service_app("catalog")
    await _user(migrated_db, "desk@shop.example", "staff")
    assert (await _sign_in(catalog, "desk@shop.example")).status_code == 303
    form = await catalog.get("/console/take-in?category=record")
    assert 'id="f-media_grade"' in form.text and '<option value="VG+"' in form.text
    sent = await catalog.post(
        "/console/take-in",
        data={
            "csrf_token": _csrf(form),
            "category": "record",
            "title": "Blue Train",
            "artist": "John Coltrane",
            "year": "1957",
        },
        files={"photos": ("cover.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")},
    )
    assert sent.status_code == 503
    assert "the intake service cannot be reached" in sent.text
    assert 'value="John Coltrane"' in sent.text and 'value="Blue Train"' in sent.text
    bad_year = await catalog.post(
        "/console/take-in",
        data={"csrf_token": _csrf(form), "category": "record", "year": "nineteen"},
    )
    assert bad_year.status_code == 422 and "a whole number, please" in bad_year.text
