"""A real local HTTP server that answers like a marketplace, scripted per test."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Route = Callable[[Seen], Reply]


class Marketplace:
    """Routes by (method, path); every request is recorded in `seen`."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.seen: list[Seen] = []
        self.url = ""

    def on(self, method: str, path: str, route: Route | Reply | list[Reply]) -> None:
        if isinstance(route, Reply):
            reply = route
            route = lambda _seen: reply  # noqa: E731
        elif isinstance(route, list):
            queue = list(route)
            route = lambda _seen: queue.pop(0) if len(queue) > 1 else queue[0]  # noqa: E731
        self.routes[(method, path)] = route

    def calls(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def _handler(market: Marketplace) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=parsed.path,
                query={k: v[-1] for k, v in parse_qs(parsed.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            market.seen.append(seen)
            route = market.routes.get((self.command, parsed.path))
            reply = route(seen) if route else Reply(404, {"errors": [{"message": "no route"}]})
            body = reply.body
            if isinstance(body, dict | list):
                body = json.dumps(body)
            data = body.encode() if isinstance(body, str) else body
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (a deadline test): nothing to tell it

        do_GET = do_POST = _serve

    return Handler


def serve(market: Marketplace) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(market))
    market.url = f"http://127.0.0.1:{server.server_address[1]}"
    # a short poll: shutdown() waits up to one poll, after every test
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server
