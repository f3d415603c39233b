"""Request body limit as pure ASGI middleware: refused before a handler buffers a huge body.

Checks Content-Length up front and counts streamed (chunked) bytes as they
arrive, answering 413 in the common error shape either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyLimit:
    """`max_bytes` for every route; `larger` raises it for paths matching a pattern (an
    upload route), so that JSON endpoints keep the small bound."""

    def __init__(self, app: Any, max_bytes: int, larger: Mapping[str, int] | None = None) -> None:
        self.app, self.default = app, max_bytes
        self.larger = [(re.compile(p), n) for p, n in (larger or {}).items()]

    def limit_for(self, path: str) -> int:
        return next((n for p, n in self.larger if p.fullmatch(path)), self.default)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(send, limit)
            return
        seen = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not refused:
                    refused = True
                    if not started:
                        await self._refuse(send, limit)
                    return {"type": "http.disconnect"}  # the app stops reading; we answered
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # whatever the app says after the disconnect, the 413 was the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, tracked_send)

    async def _refuse(self, send: Any, limit: int) -> None:
        body = json.dumps(
            {"error": "too_large", "reason": f"request body over {limit} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def guarded_protocol(header_timeout: float, body_timeout: float) -> type:
    """uvicorn's HTTP protocol with deadlines it lacks: a request's headers must arrive
    within `header_timeout` seconds of its first byte (or of the connection), and its
    body within `body_timeout` of the headers; past either, a 408 in the common error
    shape if nothing was answered yet, and the connection is closed. Without them, slow
    clients (slowloris) hold connections open indefinitely."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class GuardedProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        _deadline: Any = None
        _waiting_for: str | None = None

        def _arm(self, kind: str, seconds: float) -> None:
            if self._waiting_for == kind:
                return
            self._disarm()
            self._waiting_for = kind
            self._deadline = self.loop.call_later(seconds, self._expire, kind)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline, self._waiting_for = None, None

        def _between_requests(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm("headers", header_timeout)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.transport.is_closing():
                self._disarm()
            elif self._between_requests():
                self._arm("headers", header_timeout)  # a next request's headers begun
            elif self.cycle.more_body:
                self._arm("body", body_timeout)
            else:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _expire(self, kind: str) -> None:
            self._deadline, self._waiting_for = None, None
            if self.transport.is_closing():
                return
            cycle = self.cycle
            if kind == "headers" and not self._between_requests():
                return  # headers arrived; the body (if any) has its own deadline
            if kind == "body" and (cycle is None or not cycle.more_body):
                return
            answered = cycle is not None and cycle.response_started and kind == "body"
            if cycle is not None and kind == "body":
                cycle.disconnected = True  # the app stops reading and writing
                cycle.message_event.set()
            if not answered:
                what = "headers" if kind == "headers" else "body"
                body = json.dumps(
                    {"error": "timeout", "reason": f"the request's {what} came too slowly"}
                ).encode()
                self.transport.write(
                    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
                    + body
                )
            self.transport.close()

    return GuardedProtocol
