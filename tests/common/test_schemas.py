"""The checked-in JSON Schemas are the ones the event models produce."""

from __future__ import annotations

from pathlib import Path

from fairmarket.common.events import EVENT_TYPES
from fairmarket.common.schemas import render_schemas

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_every_event_has_a_checked_in_schema_that_matches_its_model() -> None:
    rendered = render_schemas()
    assert len(rendered) == len(EVENT_TYPES)
    for name, text in rendered.items():
        path = SCHEMAS / name
        assert path.exists(), f"{path} missing: run `fairmarket schemas`"
        assert path.read_text() == text, f"{name} drifted from its model: run `fairmarket schemas`"


def test_no_stale_schema_files() -> None:
    assert {p.name for p in SCHEMAS.glob("*.json")} == set(render_schemas())
