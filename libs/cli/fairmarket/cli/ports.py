"""TCP port helpers: pick free ports for tests, refuse taken ones with a clear message."""

from __future__ import annotations

import contextlib
import socket


def free_port(host: str = "127.0.0.1", exclude: set[int] | None = None) -> int:
    """A port the OS says is free now (tests pass 0 for "any"); never one in `exclude`."""
    while True:
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if not exclude or port not in exclude:
            return port


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could bind `host:port` now (SO_REUSEADDR, as uvicorn binds)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
