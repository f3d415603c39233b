"""The intake's parts, built once from its settings: the app and tests use this.

Intake consumes nothing: its runtime gives the routes their units of work (which write
`intake.attributed` to the outbox and wake its relay) and the relay itself. `bootstrap`
wires; nothing starts until the runtime's lifespan does.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairmarket.common.runtime import ServiceRuntime
from fairmarket.intake.db import SCHEMA, inbox, outbox
from fairmarket.intake.settings import IntakeSettings


@dataclass
class Intake:
    settings: IntakeSettings
    runtime: ServiceRuntime


def bootstrap(settings: IntakeSettings) -> Intake:
    runtime = ServiceRuntime(settings, schema=SCHEMA, outbox_table=outbox, inbox_table=inbox)
    return Intake(settings, runtime)
