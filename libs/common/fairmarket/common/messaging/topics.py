"""Creating the pipeline's topics and their dead-letter topics with enough partitions.

Publishing to a missing topic creates it with one partition, which would cap the
consumer group's parallelism at one: every service creates them up front.
"""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from fairmarket.common.events import TOPICS, dlq_topic

log = logging.getLogger(__name__)


def all_topics() -> list[str]:
    return [*TOPICS, *(dlq_topic(t) for t in TOPICS)]


async def ensure_topics(
    bootstrap: str, *, partitions: int, replication: int = 1, topics: list[str] | None = None
) -> list[str]:
    """Create missing topics; returns the ones created."""
    wanted = topics or all_topics()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return []
        new = [
            NewTopic(
                t,
                num_partitions=partitions if not t.endswith(".dlq") else 1,
                replication_factor=replication,
            )
            for t in missing
        ]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            pass
        log.info("created topics", extra={"topics": missing})
        return missing
    finally:
        await admin.close()
