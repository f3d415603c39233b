"""`by_kind`'s final step: it sees the whole batch once, after every kind's handler, and
what it raises is written with the batch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from fairmarket.common.uow import UnitOfWork, UnitsOfWork, by_kind

pytestmark = pytest.mark.unit


class FakeOutbox:
    def __init__(self) -> None:
        self.added: list[Any] = []

    async def add(self, conn: Any, events: Iterable[Any]) -> int:
        events = list(events)
        self.added.extend(events)
        return len(events)

    def notify(self) -> None:
        raise AssertionError("a joined unit leaves the wake-up to the batch's owner")


async def test_the_final_step_takes_the_whole_batch_after_every_kind() -> None:
    outbox = FakeOutbox()
    seen: list[tuple[str, list[Any]]] = []

    def recorder(name: str) -> Any:
        async def handler(events: list[Any], uow: UnitOfWork) -> None:
            seen.append((name, events))
            if name == "then":
                uow.raise_events([f"after {len(events)}"])

        return handler

    handle = by_kind(
        UnitsOfWork(None, outbox),  # type: ignore[arg-type]
        {int: recorder("int"), str: recorder("str")},
        then=recorder("then"),
    )
    await handle(None, ["a", 1, "b"])  # type: ignore[arg-type]
    assert seen == [("int", [1]), ("str", ["a", "b"]), ("then", ["a", 1, "b"])]
    assert outbox.added == ["after 3"]

    seen.clear()
    with pytest.raises(TypeError, match="float"):
        await handle(None, [1, 2.5])  # type: ignore[arg-type]
    assert seen == []  # a refused batch reaches no handler, the final step included
