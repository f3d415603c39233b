"""The topics intake reads and writes, for its AsyncAPI document."""

from fairmarket.common.events import IntakeAttributed

CONSUMES = ()
PRODUCES = (IntakeAttributed,)
