"""Every REST API fuzzed from its own OpenAPI document, over real HTTP against the stack.

Schemathesis generates requests that fit the schema (positive) and requests that
break it (negative), sent with an admin token so that they reach the handlers;
the only requirement is the user's: never a 5xx, and every error a 4xx with a
reason. `FAIRMARKET_FUZZ_EXAMPLES` (default 15 per operation and mode) sets how hard.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

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
