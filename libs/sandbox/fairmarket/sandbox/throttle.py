"""The 429 the rate-limited sandbox marketplaces (Discogs, TCGplayer) answer a caller over
its window, each with its own body, and the Retry-After header the adapters honour."""

from __future__ import annotations

import time
from typing import Any

from fastapi.responses import JSONResponse

from fairmarket.sandbox.catalog import RateWindow


def too_many_requests(window: RateWindow, caller: str, body: Any) -> JSONResponse | None:
    """A 429 with Retry-After when `caller` is over the window; None counts the call."""
    if (wait := window.retry_after(caller, time.monotonic())) is None:
        return None
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(wait)})
