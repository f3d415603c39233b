"""When an item's newest revision has all its comps in, so its valuation may be computed.

Comps and completions travel on two topics with no order between them; a run asks
several sources at once and should yield one valuation, not one per source.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Protocol


class Completion(Protocol):
    """A request's completion as stored: how many comps it said it emitted, and its run."""

    @property
    def request_id(self) -> uuid.UUID: ...
    @property
    def expected(self) -> int: ...
    @property
    def run_id(self) -> uuid.UUID | None: ...
    @property
    def run_size(self) -> int | None: ...


def run_complete(completions: Sequence[Completion], received: Mapping[uuid.UUID, int]) -> bool:
    """`completions`: the requests of the item's newest revision that reported completion,
    oldest first; `received`: comps stored per request of that revision.

    Complete when no request has comps but no completion yet, every completed request has
    delivered as many comps as it said it emitted, and every request of the newest run has
    completed (each source ends with a completion, failed or not, within the collector's
    deadline)."""
    if not completions:
        return False
    if set(received) - {c.request_id for c in completions}:
        return False  # comps of a request that has not completed yet
    if any(received.get(c.request_id, 0) < c.expected for c in completions):
        return False  # completed, but some of its comps are still on their way
    last = completions[-1]
    if last.run_size and sum(c.run_id == last.run_id for c in completions) < last.run_size:
        return False  # other sources of the run are still being collected
    return True
