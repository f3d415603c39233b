from alembic import context

from fairmarket.collector.db import SCHEMA, metadata
from fairmarket.common.migrations import run_env

run_env(context, metadata, SCHEMA)
