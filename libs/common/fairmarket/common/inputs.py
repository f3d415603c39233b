"""Validated input types for every edge (REST bodies, query parameters, CSV rows).

One rule: whatever an edge accepts, everything downstream can store and read. So
the checks here are the downstream ones, applied up front with a 4xx: PostgreSQL
refuses NUL in text (and lone surrogates in UTF-8), bigint holds 64 bits, a
timestamp read back must fit Python's datetime, and a URL must parse with httpx,
the library that will fetch it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
from pydantic import AfterValidator, Field

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def storable(text: str) -> str:
    """Text PostgreSQL can store: no NUL byte, no lone surrogate (not UTF-8)."""
    if "\x00" in text:
        raise ValueError("text must not contain a NUL byte")
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise ValueError("text must be valid Unicode (a lone surrogate is not)")
    return text


def storable_tree(value: Any) -> Any:
    """`storable` over every string (keys too) of a JSON-like value."""
    if isinstance(value, str):
        storable(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            storable_tree(key)
            storable_tree(item)
    elif isinstance(value, list | tuple):
        for item in value:
            storable_tree(item)
    return value


def text(max_length: int, min_length: int = 0) -> Any:
    """A str within a column's size, storable."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(storable)
    ]


def in_range(moment: datetime) -> datetime:
    """A moment with a timezone, as UTC, between 1900 and 2100: a time outside
    that is a typo, and at the far ends it no longer converts (year 0, year 10000)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the date is out of range (1900 to 2100)") from exc
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"the date {moment.date()} is out of range (1900 to 2100)")
    return moment


def not_in_future(moment: datetime, slack: timedelta = timedelta(days=1)) -> datetime:
    if moment > datetime.now(UTC) + slack:
        raise ValueError(f"the date {moment.date()} is in the future")
    return moment


def web_url(url: str) -> str:
    """An http(s) URL as httpx parses it (the parser that will fetch it), with a host."""
    storable(url)
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError("the URL must not contain whitespace or control characters")
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValueError(f"not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise ValueError("the URL must be http or https")
    if not parsed.host:
        raise ValueError("the URL has no host")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("the URL's port must be 1 to 65535")
    labels = parsed.host.strip("[]").split(".") if ":" not in parsed.host else []
    if any(not label or len(label) > 63 for label in labels[:-1]) or len(parsed.host) > 253:
        raise ValueError("the URL's host is not a valid name (empty or over-long label)")
    if labels and len(labels[-1]) > 63:
        raise ValueError("the URL's host is not a valid name (over-long label)")
    return url


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
BigInt = Annotated[int, Field(ge=-BIGINT_MAX - 1, le=BIGINT_MAX)]
Int32 = Annotated[int, Field(ge=-INT_MAX - 1, le=INT_MAX)]
SaneDatetime = Annotated[datetime, AfterValidator(in_range)]
WebUrl = Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(web_url)]


def fit(value: str | None, max_length: int) -> str | None:
    """Text from an event made storable in a column: NUL bytes dropped, cut to the column's
    size. For consumers only, where refusing would dead-letter the event of a whole item:
    the edges refuse such input instead."""
    if value is None:
        return None
    return value.replace("\x00", "")[:max_length]


def fit_int(value: int | None, maximum: int = INT_MAX) -> int | None:
    return None if value is None else max(min(value, maximum), -maximum - 1)
