"""Signing webhook payloads (HMAC-SHA256 over a timestamp and the body), and checking them.

Header: `Fairmarket-Signature: t=<unix seconds>,v1=<hex>`, where the MAC covers
`<t>.<body>`: a receiver recomputes it with the watch's secret and refuses
payloads older than its tolerance, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Fairmarket-Signature"
TOLERANCE_SECONDS = 300


class BadSignature(ValueError):
    pass


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Raise BadSignature unless the header signs this body within the tolerance."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
        given = fields["v1"]
    except (ValueError, KeyError) as exc:
        raise BadSignature("malformed signature header") from exc
    if abs((time.time() if now is None else now) - t) > tolerance:
        raise BadSignature("signature timestamp outside the tolerance")
    expected = sign(secret, body, t).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise BadSignature("signature does not match")
