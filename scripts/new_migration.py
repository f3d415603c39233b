"""Autogenerate a migration for one service against a database at head.

FAIRMARKET_DATABASE_URL=... python scripts/new_migration.py intake "add photos"
"""

from __future__ import annotations

import os
import sys

from alembic import command

from fairmarket.cli.services import spec
from fairmarket.common.migrations import alembic_config, upgrade


def main() -> None:
    name, message = sys.argv[1], sys.argv[2]
    url = os.environ["FAIRMARKET_DATABASE_URL"]
    svc = spec(name)
    (svc.migrations_dir / "versions").mkdir(exist_ok=True)
    upgrade(svc.migrations_dir, url, svc.schema)
    cfg = alembic_config(svc.migrations_dir, url, svc.schema)
    command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
