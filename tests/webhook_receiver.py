"""A real local HTTP receiver for webhooks: verifies each signature, can fail on purpose."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fairmarket.common.signing import HEADER, BadSignature, verify


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0  # answer 500 this many times before accepting
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    attempts: int = 0
    url: str = ""
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, n: int, timeout: float = 30) -> list[dict[str, Any]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= n, timeout)
        return list(self.received)


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.attempts += 1
            status = 204
            try:
                verify(receiver.secret, self.headers.get(HEADER, ""), body)
            except BadSignature as exc:
                receiver.refused.append(str(exc))
                status = 401
            if status == 204 and receiver.fail_first > 0:
                receiver.fail_first -= 1
                status = 500
            if status == 204:
                with receiver.arrived:
                    receiver.received.append(
                        {
                            "body": json.loads(body),
                            "traceparent": self.headers.get("traceparent"),
                            "delivery": self.headers.get("Fairmarket-Delivery"),
                        }
                    )
                    receiver.arrived.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/fairmarket"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
