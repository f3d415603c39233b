"""Every REST API fuzzed from its own OpenAPI document, over real HTTP against the stack.

Schemathesis generates requests that fit the schema (positive) and requests that
break it (negative), sent with an admin token so that they reach the handlers;
the only requirement is the user's: never a 5xx, and every error a 4xx with a
reason. `FAIRMARKET_FUZZ_EXAMPLES` (default 15 per operation and mode) sets how hard.

Schemathesis alone never sends what broke the services in issue 17, so a second
pass takes its valid requests and puts one hostile value in one place (a query or
path parameter, a field anywhere in a JSON body, a CSV cell): text with a NUL byte,
well-formed cursors holding the wrong types, dates at and past the ends of the range,
integers at and past 32 and 64 bits, non-finite numbers, and odd URLs.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from fairmarket.cli.services import SERVICES
from fairmarket.cli.stack import Stack, StackConfig
from fairmarket.common.web import ErrorBody

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: what the fuzzer creates (sources, watches) stays out of other tests."""
    with Stack(StackConfig.for_tests(tmp_path_factory.mktemp("fuzzed"))) as stack:
        yield stack


EXAMPLES = int(os.environ.get("FAIRMARKET_FUZZ_EXAMPLES", "15"))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("service", SERVICES)
def test_no_request_gets_a_server_error(fuzzed: Stack, service: str, mode: GenerationMode) -> None:
    stack = fuzzed
    base = stack.urls[service]
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    auth = {"Authorization": f"Bearer {stack.admin_token}"}
    seen: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same requests on every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any) -> None:
        response = case.call(base_url=base, headers={**(case.headers or {}), **auth}, timeout=10)
        status = response.status_code
        key = f"{status // 100}xx"
        seen[key] = seen.get(key, 0) + 1
        assert status < 500, (case.method, case.formatted_path, status, response.text[:300])
        if status >= 400 and response.content:
            body = response.json()
            assert body.get("reason"), (case.method, case.formatted_path, body)
            ErrorBody.model_validate(body)  # the shape every OpenAPI document gives

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        given(case=operation.as_strategy(generation_mode=mode))(fuzz)()
    print(
        f"\n{service} {mode.value}: {len(operations)} operations, {sum(seen.values())} requests, "
        f"{seen}, 0 server errors"
    )


INTS = [0, -1, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
NUMBERS = ["Infinity", "-Infinity", "NaN", "1e309", "-0", "1e-400", "0x10", "١٢"]
DATES = [
    "0001-01-01",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "1899-12-31",
    "1900-01-01T00:00:00Z",
    "2099-12-31T23:59:59Z",
    "2100-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59-12:00",
    "2024-02-30",
    "2024-01-01T25:00:00",
]
URLS = [
    "http://host\t/a",
    "http://127.0.0.1:99999/a",
    "http://example.com:-1/a",
    "http://example.com:abc/a",
    "http://[::1/a",
    "http://" + "a" * 64 + ".com/a",
    "http://a..com/a",
    "http://[::127.0.0.1]/a",
    "http://[::7f00:1]/a",
    "http://[64:ff9b::127.0.0.1]/a",
    "http://[2002:7f00:1::]/a",
    "http://[fe80::1%25eth0]/a",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "https://user:pw@example.com/a",
    "http://example.com/\x00",
    "//example.com/a",
]
SORTS = ["created_at", "updated_at", "fmv", "confidence", "title"]


def nul_text() -> st.SearchStrategy[str]:
    return st.tuples(st.text(max_size=8), st.text(max_size=8)).map(lambda p: f"{p[0]}\x00{p[1]}")


def wrong_cursors() -> st.SearchStrategy[str]:
    """Cursors that decode and parse, with the wrong types inside."""
    value = st.one_of(
        st.sampled_from([*INTS, *DATES, "abc", True, None, [], {"a": 1}, 1.5]), nul_text()
    )
    ident = st.one_of(st.just(str(uuid.uuid4())), st.sampled_from([7, None, "x", [], {}]))
    payload = st.one_of(
        st.fixed_dictionaries({"s": st.sampled_from(SORTS), "v": value, "id": ident}),
        st.sampled_from([[1, 2], "s", 3, None, {"s": "fmv"}]),
    )
    return payload.map(
        lambda p: base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=")
    )


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        nul_text(),
        st.sampled_from([str(i) for i in INTS] + NUMBERS + DATES + URLS),
        wrong_cursors(),
    )


def hostile_json() -> st.SearchStrategy[Any]:
    text = hostile_text()
    return st.one_of(
        text,
        st.sampled_from(INTS),
        st.sampled_from([float("inf"), float("nan"), 1e308, -0.0, 5e-324]),
        st.lists(text, min_size=1, max_size=3),
        st.dictionaries(st.text(max_size=5), text, min_size=1, max_size=2),
        st.just("\ud800"),  # a lone surrogate: valid JSON escape, not UTF-8
    )


def hostile_csv() -> st.SearchStrategy[str]:
    columns = ["title", "price", "currency", "date", "url", "source", "bids", "grade", "item_id"]
    good = ["Morgan dollar", "10", "USD", "2024-01-01", "", "", "", "", ""]
    return st.tuples(st.sampled_from(range(len(columns))), hostile_text()).map(
        lambda pick: (
            ",".join(columns)
            + "\n"
            + ",".join(json.dumps(pick[1]) if i == pick[0] else cell for i, cell in enumerate(good))
            + "\n"
        )
    )


def _paths(body: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON body a value can be put, nested dicts and lists included."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(body, dict):
        for key, value in body.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(body, list):
        for index, value in enumerate(body[:3]):
            found += _paths(value, (*prefix, index))
    return found


def _put(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[head] = _put(copy[head], rest, value)
    return copy


def poison(case: Any, data: st.DataObject) -> None:
    """One hostile value in one place of a valid request."""
    raw = case.operation.definition.raw
    params = [p for p in raw.get("parameters", []) if p.get("in") in ("query", "path")]
    places = ["param"] * bool(params)
    if isinstance(case.body, dict | list) and _paths(case.body):
        places.append("body")
    if case.media_type == "text/csv":
        places.append("csv")
    if not places:
        return
    place = data.draw(st.sampled_from(places))
    if place == "param":
        param = data.draw(st.sampled_from(params))
        value = data.draw(hostile_text())
        if param["in"] == "query":
            case.query = {**(case.query or {}), param["name"]: value}
        else:
            case.path_parameters = {**(case.path_parameters or {}), param["name"]: value}
    elif place == "body":
        path = data.draw(st.sampled_from(_paths(case.body)))
        case.body = _put(case.body, path, data.draw(hostile_json()))
    else:
        case.body = data.draw(hostile_csv())


def send(client: httpx.Client, case: Any, auth: dict[str, str]) -> httpx.Response:
    """The request as a client may send it: JSON with NaN, Infinity or a lone surrogate
    escaped (which schemathesis and requests refuse to encode), parameters percent-encoded."""
    path = case.operation.path.format(
        **{k: quote(str(v), safe="") for k, v in (case.path_parameters or {}).items()}
    )
    headers = {**{k: str(v) for k, v in (case.headers or {}).items()}, **auth}
    content = None
    if isinstance(case.body, NotSet):
        pass
    elif case.media_type == "text/csv" and isinstance(case.body, str):
        content = case.body.encode("utf-8", errors="surrogatepass")
    elif case.body is not None and not isinstance(case.body, bytes | str):
        content = json.dumps(case.body).encode()  # allow_nan: NaN and Infinity literals
    elif isinstance(case.body, str | bytes):
        content = (
            case.body if isinstance(case.body, bytes) else case.body.encode("utf-8", "replace")
        )
    if content is not None:
        headers.setdefault("Content-Type", case.media_type or "application/json")
    query = {k: v if isinstance(v, list) else str(v) for k, v in (case.query or {}).items()}
    return client.request(case.method, path, params=query, headers=headers, content=content)


@pytest.mark.parametrize("service", SERVICES)
def test_hostile_values_get_no_server_error(fuzzed: Stack, service: str) -> None:
    """Issue 17's inputs, in every parameter and field of every operation."""
    stack = fuzzed
    base = stack.urls[service]
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    auth = {"Authorization": f"Bearer {stack.admin_token}"}
    seen: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any, data: st.DataObject) -> None:
        poison(case, data)
        response = send(client, case, auth)
        status = response.status_code
        seen[f"{status // 100}xx"] = seen.get(f"{status // 100}xx", 0) + 1
        where = (case.method, case.operation.path, case.path_parameters, case.query)
        where = (*where, str(case.body)[:200])
        assert status < 500, (*where, status, response.text[:300])
        if status >= 400 and response.content:
            body = response.json()
            assert body.get("reason"), (*where, body)
            ErrorBody.model_validate(body)

    operations = [result.ok() for result in schema.get_all_operations()]
    with httpx.Client(base_url=base, timeout=10) as client:
        for operation in operations:
            strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
            given(case=strategy, data=st.data())(fuzz)()
    print(
        f"\n{service} hostile: {len(operations)} operations, {sum(seen.values())} requests, "
        f"{seen}, 0 server errors"
    )
