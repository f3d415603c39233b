"""How long a person waits after failed sign-ins: a few tries free, then doubling waits;
counted per account and per client address (guessing across many accounts from one
address is slowed down too).

Pure: the accounts module stores the counts and the times of the last failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_FAILURES = 5  # typos happen; guessing takes thousands of tries
MAX_WAIT = timedelta(minutes=15)
# an address may be a shop's whole network behind one router: more typos before a wait
ADDRESS_FREE_FAILURES = 20
# a right password does not clear an address's count (it could be the guesser's own
# account); an hour without failures does
ADDRESS_FORGET_AFTER = timedelta(hours=1)


def wait_after(failures: int, free: int = FREE_FAILURES) -> timedelta:
    """The wait imposed after `failures` failed sign-ins in a row: 0 for the first `free`,
    then 1 s, 2 s, 4 s, ... up to 15 minutes."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 20)  # 2**20 s is past the cap already
    return min(timedelta(seconds=2**doublings), MAX_WAIT)


def retry_in(
    failures: int, last_failed_at: datetime | None, now: datetime, free: int = FREE_FAILURES
) -> timedelta:
    """How long from `now` until another try is heard (0: at once)."""
    if last_failed_at is None:
        return timedelta(0)
    return max(last_failed_at + wait_after(failures, free) - now, timedelta(0))


def address_retry_in(failures: int, last_failed_at: datetime | None, now: datetime) -> timedelta:
    """The same for a client address, whose count is forgotten after a quiet hour."""
    if last_failed_at is None or now - last_failed_at >= ADDRESS_FORGET_AFTER:
        return timedelta(0)
    return retry_in(failures, last_failed_at, now, ADDRESS_FREE_FAILURES)
