"""JSON Schemas of the event contracts, as checked into `schemas/`."""

from __future__ import annotations

import json

from fairmarket.common.events import EVENT_TYPES


def render_schemas() -> dict[str, str]:
    """File name -> JSON text, stable so that a diff means the contract changed."""
    return {
        f"{topic}.v1.json": json.dumps(
            model.model_json_schema(mode="serialization"), indent=2, sort_keys=True
        )
        + "\n"
        for topic, model in EVENT_TYPES.items()
    }
