"""Publishing raw records through the service's FastStream broker."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from faststream.kafka import KafkaBroker


class Publisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self.broker = broker

    async def publish_many(
        self, records: Iterable[tuple[str, bytes, bytes, dict[str, str]]]
    ) -> None:
        """Send every record without waiting on each, then wait for all acks.

        One failure fails the whole call; the caller keeps the rows unsent.
        """
        futures = [
            await self.broker.publish(payload, topic, key=key, headers=headers, no_confirm=True)
            for topic, key, payload, headers in records
        ]
        if futures:
            await asyncio.gather(*futures)
