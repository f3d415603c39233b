"""Each service's resident memory over a long paced run: flat, or growing with the items.

Memory is read from the processes (psutil RSS) after every round of paced intakes;
the figure that tells a leak is the slope over the second half of the run, once
pools, caches and allocator arenas have filled.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import psutil

from fairmarket.cli.bench import pipeline
from fairmarket.cli.stack import Stack

SERVICES = ("intake", "catalog", "collector", "valuation")


def _rss_mb(stack: Stack) -> dict[str, float]:
    supervisor = stack.supervisor
    assert supervisor is not None, "the stack is not started"
    out = {}
    for name in SERVICES:
        pid = supervisor.process(name).pid
        assert pid is not None, f"{name} is not running"
        out[name] = psutil.Process(pid).memory_info().rss / 2**20
    return out


def slope_per_10k(items: list[int], mb: list[float]) -> float:
    """MB per 10,000 items over the second half of the samples (0 with fewer than two)."""
    half = len(items) // 2
    xs, ys = items[half:], mb[half:]
    if len(xs) < 2 or xs[-1] == xs[0]:
        return 0.0
    return float(np.polyfit(xs, ys, 1)[0] * 10_000)


def run(stack: Stack, minutes: float, rate: float, round_seconds: float = 30.0) -> dict[str, Any]:
    assert stack.supervisor is not None, "the stack is not started"
    asyncio.run(pipeline.measure(stack, 20, None))  # warm-up: pools, caches, groups joined
    restarts = {n: stack.supervisor.restarts(n) for n in SERVICES}
    start = _rss_mb(stack)
    per_round = max(1, round(rate * min(round_seconds, minutes * 60 / 4)))  # 4 samples or more
    done: list[int] = []
    series: dict[str, list[float]] = {n: [] for n in SERVICES}
    deadline = time.monotonic() + minutes * 60
    while time.monotonic() < deadline:
        asyncio.run(pipeline.measure(stack, per_round, rate))
        done.append((done[-1] if done else 0) + per_round)
        for name, mb in _rss_mb(stack).items():
            series[name].append(mb)
    out: dict[str, Any] = {"memory_items": done[-1] if done else 0, "memory_samples": len(done)}
    for name in SERVICES:
        out[f"memory_{name}_start_mb"] = start[name]
        out[f"memory_{name}_end_mb"] = series[name][-1] if done else start[name]
        out[f"memory_{name}_peak_mb"] = max(series[name], default=start[name])
        out[f"memory_{name}_mb_per_10k_items"] = slope_per_10k(done, series[name])
        if stack.supervisor.restarts(name) != restarts[name]:
            raise RuntimeError(f"{name} restarted during the run: its memory says nothing")
    return out
