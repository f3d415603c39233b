"""Dead-letter records with the reason and where they came from in their headers."""

from __future__ import annotations

import traceback
from typing import Any

from fairmarket.common.events import dlq_topic
from fairmarket.common.messaging.publisher import Publisher


def dlq_headers(record: Any, exc: BaseException, *, group: str, attempts: int) -> dict[str, str]:
    original = {
        k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v))
        for k, v in (record.headers or ())
    }
    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return {
        **{k: v for k, v in original.items() if not k.startswith("x-dlq-")},
        "x-dlq-error": error[:2000],
        "x-dlq-error-type": type(exc).__name__,
        "x-dlq-topic": record.topic,
        "x-dlq-partition": str(record.partition),
        "x-dlq-offset": str(record.offset),
        "x-dlq-group": group,
        "x-dlq-attempts": str(attempts),
    }


async def dead_letter(
    publisher: Publisher, record: Any, exc: BaseException, *, group: str, attempts: int
) -> None:
    key = (
        record.key
        if isinstance(record.key, bytes) or record.key is None
        else str(record.key).encode()
    )
    value = record.value if isinstance(record.value, bytes) else bytes(record.value or b"")
    await publisher.publish_many(
        [
            (
                dlq_topic(record.topic),
                key or b"",
                value,
                dlq_headers(record, exc, group=group, attempts=attempts),
            )
        ]
    )
