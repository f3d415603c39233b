"""The console's browser tests: the whole stack as processes, people added with the CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from console_support import Person, add_person, browser_or_fail, new_browser

from fairmarket.cli.stack import Stack, StackConfig


@pytest.fixture(scope="session")
def console_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Any change of a policy price waits for approval (threshold 0), so a test can make one."""
    browser_or_fail()  # before minutes of stack start-up
    config = StackConfig.for_tests(
        tmp_path_factory.mktemp("console-stack"),
        extra_env={"FAIRMARKET_PRICE_APPROVAL_THRESHOLD_PCT": "0"},
    )
    with Stack(config) as running:
        yield running


@pytest.fixture(scope="session")
def people(console_stack: Stack) -> dict[str, Person]:
    return {
        role: add_person(console_stack, f"{role}@counter.example", role)
        for role in ("admin", "staff", "viewer")
    }


@pytest.fixture
def browser() -> Iterator[object]:
    driver = new_browser()
    try:
        yield driver
    finally:
        driver.quit()
