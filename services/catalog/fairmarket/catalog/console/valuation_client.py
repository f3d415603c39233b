"""The valuation's REST API as the console reads it, with the person's own token: what
the latest valuation did with each comp (used and its weight, or why it was left out)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompUse:
    used: bool
    weight: float  # share of the used comps' total weight
    outlier: bool
    reason: str | None


class ValuationClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self.base_url, self.client = base_url.rstrip("/"), client

    async def comp_uses(self, token: str, item_id: uuid.UUID) -> dict[str, CompUse] | None:
        """By price point id; None when the valuation service cannot say (no valuation yet,
        or the service unreachable): the page then shows what the catalog knows."""
        try:
            response = await self.client.get(
                f"{self.base_url}/v1/valuations/{item_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as exc:
            log.warning("valuation unreachable for the console: %s", exc)
            return None
        if response.status_code != 200:
            return None
        comps: list[dict[str, Any]] = response.json().get("comps", [])
        return {
            str(c["price_point_id"]): CompUse(
                used=bool(c.get("used")),
                weight=float(c.get("weight") or 0.0),
                outlier=bool(c.get("outlier")),
                reason=c.get("reason"),
            )
            for c in comps
        }
