"""The rule that holds an item's valuation until its pricing run's comps are all in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from fairmarket.valuation.domain.settled import run_complete

pytestmark = pytest.mark.unit

RUN = uuid.uuid4()


@dataclass
class Done:
    request_id: uuid.UUID
    expected: int
    run_id: uuid.UUID | None = RUN
    run_size: int | None = 2


def requests() -> tuple[Done, Done]:
    return Done(uuid.uuid4(), 3), Done(uuid.uuid4(), 0)


def test_complete_when_every_source_of_the_run_reported_and_delivered() -> None:
    a, b = requests()
    assert run_complete([a, b], {a.request_id: 3})


def test_waits_for_comps_announced_but_not_yet_stored() -> None:
    a, b = requests()
    assert not run_complete([a, b], {a.request_id: 2})


def test_waits_for_a_request_whose_comps_arrived_before_its_completion() -> None:
    a, b = requests()
    assert not run_complete([a, b], {a.request_id: 3, uuid.uuid4(): 1})


def test_waits_for_the_other_sources_of_the_run() -> None:
    a, _ = requests()
    assert not run_complete([a], {a.request_id: 3})


def test_a_run_of_unknown_size_settles_on_its_completions_alone() -> None:
    a = Done(uuid.uuid4(), 1, run_size=None)
    assert run_complete([a], {a.request_id: 1})


def test_only_the_newest_run_counts_toward_its_size() -> None:
    old = Done(uuid.uuid4(), 0, run_id=uuid.uuid4(), run_size=2)
    new = Done(uuid.uuid4(), 0)
    assert not run_complete([old, new], {})  # the old run's request is not one of the new run's
    assert run_complete([old, new, Done(uuid.uuid4(), 0)], {})


def test_nothing_completed_is_not_complete() -> None:
    assert not run_complete([], {})
