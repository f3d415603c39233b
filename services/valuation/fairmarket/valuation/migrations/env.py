from alembic import context

from fairmarket.common.migrations import run_env
from fairmarket.valuation.db import SCHEMA, metadata

run_env(context, metadata, SCHEMA)
