"""Readiness probes: a call that returns None when ready, else why not.

A reason (not just False) lets a timeout name what was wrong: "503 broker
unreachable" is actionable, "not ready" is not.
"""

from __future__ import annotations

import socket
from typing import Protocol

import httpx


class Probe(Protocol):
    def __call__(self) -> str | None: ...


class HttpProbe:
    """Ready when GET `url` answers 200."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url = url
        self.timeout = timeout
        self._client: httpx.Client | None = None

    def __call__(self) -> str | None:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, trust_env=False)
        try:
            response = self._client.get(self.url)
        except httpx.HTTPError as exc:
            return f"{self.url}: {type(exc).__name__} {exc}".strip()
        if response.status_code == 200:
            return None
        return f"{self.url}: {response.status_code} {response.text[:300]}"

    def __repr__(self) -> str:
        return f"GET {self.url}"


class TcpProbe:
    """Ready when a TCP connection to host:port succeeds."""

    def __init__(self, host: str, port: int, timeout: float = 1.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def __call__(self) -> str | None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout):
                return None
        except OSError as exc:
            return f"{self.host}:{self.port}: {exc}"

    def __repr__(self) -> str:
        return f"tcp {self.host}:{self.port}"
