"""A real local HTTP receiver for webhooks: verifies each signature, can fail on purpose.

Each signature is checked twice: by the project's `verify` (timestamp tolerance) and by an
HMAC computed here the way a receiver in any language would, so a change to the scheme that
`sign` and `verify` make together is still caught.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fairmarket.catalog.signing import HEADER, BadSignature, verify


def independently_signed(secret: str, header: str, body: bytes) -> bool:
    """`t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, checked without the project's code."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in fields or "v1" not in fields:
        return False
    mac = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), fields["v1"])


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
                header = self.headers.get(HEADER, "")
                verify(receiver.secret, header, body)
                if not independently_signed(receiver.secret, header, body):
                    raise BadSignature("the HMAC computed by the receiver does not match")
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
    # a short poll: shutdown() waits up to one poll, after every test
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server
