"""The catalog's admin API under concurrent load: item reads and filtered lists."""

from __future__ import annotations

import time

import httpx

from fairmarket.cli.bench.load import measure
from fairmarket.cli.stack import Stack

COIN = {
    "category": "coin",
    "attribution": {
        "category": "coin",
        "year": 1921,
        "mintmark": "D",
        "denomination": "Morgan Dollar",
        "grade": "MS63",
    },
}


def _valued(r: httpx.Response) -> bool:
    return r.status_code == 200 and r.json().get("valuation") is not None


def seed(stack: Stack, items: int) -> list[str]:
    """Items taken in through the intake and valued, so the pipeline is idle when load starts."""
    with httpx.Client(headers=stack.auth, timeout=10) as client:
        ids = [
            client.post(f"{stack.urls['intake']}/v1/intakes", json=COIN).json()["id"]
            for _ in range(items)
        ]
        deadline = time.monotonic() + 300
        for item in ids:
            while not _valued(client.get(f"{stack.urls['catalog']}/v1/items/{item}")):
                if time.monotonic() > deadline:
                    raise RuntimeError("items never reached the catalog")
                time.sleep(0.1)
    return ids


def run(stack: Stack, items: int, seconds: float, concurrency: int) -> dict[str, float]:
    ids = seed(stack, items)
    base = stack.urls["catalog"]
    out: dict[str, float] = {}
    rps, p50, p99 = measure([f"{base}/v1/items/{i}" for i in ids], stack.auth, seconds, concurrency)
    out |= {"api_item_rps": rps, "api_item_p50_ms": p50, "api_item_p99_ms": p99}
    lists = [
        f"{base}/v1/items?category=coin&limit=50",
        f"{base}/v1/items?q=Morgan&year=1921&limit=20&sort=fmv",
    ]
    rps, p50, p99 = measure(lists, stack.auth, seconds, concurrency)
    out |= {"api_list_rps": rps, "api_list_p50_ms": p50, "api_list_p99_ms": p99}
    return out
