"""HTTP load from a separate process, so the client's CPU is not the server's event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from urllib.parse import urlsplit

import numpy as np


class _Connection:
    """One keep-alive HTTP/1.1 connection, GETs only: a load generator has to cost far less
    than the server it measures, which a general client (httpx: ~2 ms a request here) does not."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        if b"connection: close" in head.lower():
            self.writer.close()
            self.writer = None
        return status


async def _hammer(
    urls: list[str], headers: dict[str, str], seconds: float, concurrency: int
) -> list[float]:
    latencies: list[float] = []
    parsed = [urlsplit(u) for u in urls]
    host, port = parsed[0].hostname or "127.0.0.1", parsed[0].port or 80
    paths = [p.path + (f"?{p.query}" if p.query else "") for p in parsed]
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        conn = _Connection(host, port, headers)
        i = offset
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            status = await conn.get(paths[i % len(paths)])
            if status < 400:
                latencies.append(time.perf_counter() - began)
            i += concurrency
        if conn.writer is not None:
            conn.writer.close()

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
