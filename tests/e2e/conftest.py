"""The whole stack as child processes, started once for the end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from fairmarket.cli.stack import Stack, StackConfig


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Its own PostgreSQL and broker (unless the FAIRMARKET_TEST_* addresses are given)."""
    overrides: dict[str, object] = {}
    if url := os.environ.get("FAIRMARKET_TEST_STACK_DATABASE_URL"):
        overrides["database_url"] = url
    if bootstrap := os.environ.get("FAIRMARKET_TEST_KAFKA_BOOTSTRAP"):
        overrides["kafka_bootstrap"] = bootstrap
        overrides["kafka_idempotence"] = False
    overrides["extra_env"] = {  # the webhook receiver of the tests listens on loopback
        "FAIRMARKET_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
        "FAIRMARKET_WEBHOOK_BACKOFF_SECONDS": "0.2",
    }
    config = StackConfig.for_tests(tmp_path_factory.mktemp("stack"), **overrides)
    with Stack(config) as running:
        yield running
