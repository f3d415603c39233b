"""Why a collection failed, as a kind: metrics count it, the breaker weighs it, people read it.

Adapters raise `MarketplaceError` with its kind where the failure is seen (the HTTP caller
for transport failures, `json_answer` for an answer's status and shape), so nothing
downstream guesses the kind back out of the message.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

ErrorKind = Literal[
    "auth",  # the marketplace refused our credentials (401/403, a refused token request)
    "throttled",  # 429 after our retries
    "server_error",  # 5xx after our retries
    "client_error",  # another 4xx: the marketplace refused the request as asked
    "transport",  # no answer at all: connection refused, reset, timed out
    "bad_answer",  # an answer that is not JSON, or JSON of another shape
    "unsupported",  # the adapter cannot price this request (another category, no query)
    "deadline",  # the collection's deadline passed
    "circuit_open",  # the source's breaker held the call back
    "not_configured",  # no adapter is configured for the source
]

MARKETPLACE_FAULTS: frozenset[ErrorKind] = frozenset(
    {"auth", "throttled", "server_error", "transport", "bad_answer", "deadline"}
)
"""Kinds that say the marketplace (or our access to it) is unwell: the circuit breaker counts
these, not a request the adapter refused or one the marketplace found malformed."""


class MarketplaceError(Exception):
    """The marketplace could not give an answer we can use; the message is safe to show."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind


def kind_of_status(status: int) -> ErrorKind:
    if status in (401, 403):
        return "auth"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server_error"
    return "client_error"


def json_answer(
    response: httpx.Response,
    who: str,
    where: str | None = None,
    *,
    shape: type = dict,
    unexpected: str = "an unexpected body",
) -> Any:
    """The JSON body of a 200 answer of the expected `shape`, or a MarketplaceError of its kind:
    `<who> answered 503 for <where>`, `... a body that is not JSON ...`, `... <unexpected> ...`."""
    at = f" for {where}" if where else ""
    status = response.status_code
    if status != 200:
        raise MarketplaceError(kind_of_status(status), f"{who} answered {status}{at}")
    try:
        body = response.json()
    except ValueError as exc:
        raise MarketplaceError("bad_answer", f"{who} answered a body that is not JSON{at}") from exc
    if not isinstance(body, shape):
        raise MarketplaceError("bad_answer", f"{who} answered {unexpected}{at}")
    return body
