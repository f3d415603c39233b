"""The pipeline at saturation with 1, 2, 4... processes each of collector and valuation:
how throughput grows as consumer groups spread partitions over replicas."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path

from fairmarket.cli.bench import pipeline
from fairmarket.cli.replicas import replica, wait_ready
from fairmarket.cli.stack import Stack

SCALED = ("collector", "valuation")


def run(stack: Stack, items: int, counts: tuple[int, ...], logs: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    with ExitStack() as extra:
        running = 1
        for count in sorted(counts):
            for n in range(running, count):
                for name in SCALED:
                    _, url = extra.enter_context(replica(stack, name, logs / f"{name}-{n}.log"))
                    wait_ready(url)
            running = max(running, count)
            asyncio.run(pipeline.measure(stack, 20, None))  # the groups rebalance, then settle
            figures = asyncio.run(pipeline.measure(stack, items, None, direct=True))
            out[f"scale_{count}_price_points_per_s"] = figures["price_points_per_s"]
            out[f"scale_{count}_valuations_per_s"] = figures["valuations_per_s"]
    return out
