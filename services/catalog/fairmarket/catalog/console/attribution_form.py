"""The take-in form's fields, one set per category, read from the attribution contracts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from fairmarket.catalog.console.grades import SCALES
from fairmarket.common.events import (
    CardAttribution,
    CoinAttribution,
    ProductAttribution,
    RecordAttribution,
)

MODELS = {
    "coin": CoinAttribution,
    "card": CardAttribution,
    "record": RecordAttribution,
    "product": ProductAttribution,
}
CATEGORIES = list(MODELS)
LABELS = {"catalog_number": "Catalog number", "discogs_release_id": "Discogs release id"}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    numeric: bool
    choices: list[str] | None


def fields(category: str) -> list[FormField]:
    model = MODELS[category]
    out = []
    for name, info in model.model_fields.items():
        if name == "category":
            continue
        numeric = "int" in str(info.annotation)
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        out.append(FormField(name, label, numeric, SCALES.get((category, name))))
    return out


def read(category: str, form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The attribution the form says (empty fields left out), and errors by field name."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields(category):
        raw = str(form.get(field.name, "")).strip()
        if not raw:
            continue
        if field.numeric:
            try:
                values[field.name] = int(raw)
            except ValueError:
                errors[field.name] = "a whole number, please"
            continue
        values[field.name] = raw
    return values, errors
