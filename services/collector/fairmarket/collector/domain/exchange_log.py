"""A request's raw answers as stored, for audit and replay: each distinct body once, by the
SHA-256 of its content, and every call in the order it was made. Pure, no I/O."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawExchange:
    """One HTTP call as made (no secrets in url or params) and answered: what adapters
    return for audit and replay, and what this log stores."""

    method: str
    url: str
    params: dict[str, str]
    status: int
    body: bytes
    content_type: str | None
    elapsed_ms: float
    requested_at: datetime


def artifact_id(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class ExchangeLog:
    request_id: uuid.UUID
    exchanges: tuple[RawExchange, ...]
    ids: tuple[str, ...]  # the artifact of each exchange, in order

    @classmethod
    def of(cls, request_id: uuid.UUID, exchanges: Sequence[RawExchange]) -> ExchangeLog:
        return cls(request_id, tuple(exchanges), tuple(artifact_id(x.body) for x in exchanges))

    def artifact_of(self, index: int) -> str | None:
        """The stored answer a listing came from; None if it points past the log."""
        return self.ids[index] if index < len(self.ids) else None

    def artifact_rows(self) -> list[dict[str, Any]]:
        """The `raw_artifacts` rows, one per distinct body."""
        rows = {
            i: {"id": i, "content_type": x.content_type, "size": len(x.body), "body": x.body}
            for i, x in zip(self.ids, self.exchanges, strict=True)
        }
        return list(rows.values())

    def exchange_rows(self) -> list[dict[str, Any]]:
        """The `exchanges` rows, numbered in call order."""
        return [
            {
                "request_id": self.request_id,
                "seq": seq,
                "artifact_id": self.ids[seq],
                "method": x.method,
                "url": x.url,
                "params": dict(x.params),
                "status": x.status,
                "elapsed_ms": x.elapsed_ms,
                "requested_at": x.requested_at,
            }
            for seq, x in enumerate(self.exchanges)
        ]
