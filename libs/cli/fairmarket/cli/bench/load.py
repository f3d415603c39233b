"""HTTP load from a separate process, so the client's CPU is not the server's event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import time

import httpx
import numpy as np


async def _hammer(
    urls: list[str], headers: dict[str, str], seconds: float, concurrency: int
) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                r = await client.get(urls[i % len(urls)])
                if r.status_code < 400:
                    latencies.append(time.perf_counter() - began)
                i += concurrency

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return latencies


def _child(
    urls: list[str],
    headers: dict[str, str],
    seconds: float,
    concurrency: int,
    out: multiprocessing.Queue,
) -> None:
    out.put(asyncio.run(_hammer(urls, headers, seconds, concurrency)))


def measure(
    urls: list[str], headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, float, float]:
    """Requests per second, p50 ms and p99 ms of successful GETs over `urls`."""
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(urls, headers, seconds, concurrency, queue))
    proc.start()
    latencies = queue.get(timeout=seconds + 120)
    proc.join(30)
    if not latencies:
        raise RuntimeError("no request succeeded")
    ms = np.array(latencies) * 1e3
    return len(latencies) / seconds, float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
