"""How long a person waits after failed sign-ins: a few tries free, then doubling waits.

Pure: the accounts module stores the count and the time of the last failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_FAILURES = 5  # typos happen; guessing takes thousands of tries
MAX_WAIT = timedelta(minutes=15)


def wait_after(failures: int) -> timedelta:
    """The wait imposed after `failures` failed sign-ins in a row: 0 for the first few, then
    1 s, 2 s, 4 s, ... up to 15 minutes."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 20)  # 2**20 s is past the cap already
    return min(timedelta(seconds=2**doublings), MAX_WAIT)


def retry_in(failures: int, last_failed_at: datetime | None, now: datetime) -> timedelta:
    """How long from `now` until another try is heard (0: at once)."""
    if last_failed_at is None:
        return timedelta(0)
    return max(last_failed_at + wait_after(failures) - now, timedelta(0))
