"""Which items a consumer batch touched, so each is valued once per batch.

Pure, no I/O. The order is the batch's (each item where it first appears), so the
valuations a batch emits come out in the order their items arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol


class ItemData(Protocol):
    @property
    def item_id(self) -> uuid.UUID: ...


class ItemEvent(Protocol):
    """Any event about one item: a comp, a completion or a flag."""

    @property
    def data(self) -> ItemData: ...


def touched_items(events: Iterable[ItemEvent]) -> list[uuid.UUID]:
    """Each item the events are about, once, in the order first seen."""
    return list(dict.fromkeys(e.data.item_id for e in events))
