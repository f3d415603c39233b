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
