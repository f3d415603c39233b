"""Building the item list query from an admin's filters: pure, no I/O.

Cursor pagination is keyset pagination on (sort key, id): stable under
concurrent inserts, unlike offsets.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from sqlalchemy import Select, String, and_, cast, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from fairmarket.catalog.db import items
from fairmarket.common.inputs import BIGINT_MAX, in_range, storable

SortKey = Literal["created_at", "updated_at", "fmv", "confidence", "title"]
_COLUMNS = {
    "created_at": items.c.created_at,
    "updated_at": items.c.updated_at,
    "fmv": items.c.fmv_usd_cents,
    "confidence": items.c.confidence,
    "title": items.c.title,
}


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class ItemFilter:
    category: str | None = None
    q: str | None = None
    year: int | None = None
    grade: str | None = None
    min_fmv_usd_cents: int | None = None
    max_fmv_usd_cents: int | None = None
    min_confidence: int | None = None
    has_valuation: bool | None = None
    stale_since: datetime | None = None
    sort: SortKey = "created_at"
    descending: bool = True


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(f: ItemFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.category:
        where.append(items.c.category == f.category)
    if f.q:
        pattern = _like(f.q)
        where.append(
            or_(
                items.c.title.ilike(pattern, escape="\\"),
                cast(items.c.attribution, String).ilike(pattern, escape="\\"),
            )
        )
    if f.year is not None:
        where.append(items.c.attribution["year"].astext == str(f.year))
    if f.grade:
        where.append(
            or_(
                items.c.attribution["grade"].astext.ilike(f.grade),
                items.c.attribution["media_grade"].astext.ilike(f.grade),
                items.c.attribution["condition"].astext.ilike(f.grade),
            )
        )
    if f.min_fmv_usd_cents is not None:
        where.append(items.c.fmv_usd_cents >= f.min_fmv_usd_cents)
    if f.max_fmv_usd_cents is not None:
        where.append(items.c.fmv_usd_cents <= f.max_fmv_usd_cents)
    if f.min_confidence is not None:
        where.append(items.c.confidence >= f.min_confidence)
    if f.has_valuation is not None:
        has = items.c.valuation_version.is_not(None)
        where.append(has if f.has_valuation else ~has)
    if f.stale_since is not None:
        where.append(or_(items.c.valued_at.is_(None), items.c.valued_at < f.stale_since))
    return where


def encode_cursor(f: ItemFilter, row: Any) -> str:
    value = getattr(row, {"fmv": "fmv_usd_cents"}.get(f.sort, f.sort))
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = orjson.dumps({"s": f.sort, "v": value, "id": str(row.id)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_value(sort: str, value: Any) -> Any:
    """The cursor's sort value, of the column's own type: a well-formed cursor holding a
    string for a number (or a dict) was a 500 from the database."""
    if value is None:
        return None
    if sort in ("created_at", "updated_at"):
        if not isinstance(value, str):
            raise BadCursor("the cursor's value is not a time")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise BadCursor("the cursor's time has no timezone")
        return in_range(moment)
    if sort in ("fmv", "confidence"):
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > BIGINT_MAX:
            raise BadCursor("the cursor's value is not a whole number")
        return value
    if not isinstance(value, str) or len(value) > 500:
        raise BadCursor("the cursor's value is not a title")
    return storable(value)


def decode_cursor(f: ItemFilter, cursor: str) -> tuple[Any, uuid.UUID]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict):
            raise BadCursor("malformed cursor")
        if data["s"] != f.sort:
            raise BadCursor("the cursor belongs to another sort order")
        if not isinstance(data["id"], str):
            raise BadCursor("the cursor's id is not a UUID")
        return _cursor_value(f.sort, data["v"]), uuid.UUID(data["id"])
    except BadCursor:
        raise
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise BadCursor("malformed cursor") from exc


def _after(f: ItemFilter, value: Any, item_id: uuid.UUID) -> ColumnElement[bool]:
    """Rows strictly after the cursor in the sort order; NULLs sort last either way."""
    col = _COLUMNS[f.sort]
    id_beyond = items.c.id < item_id if f.descending else items.c.id > item_id
    if value is None:  # already among the NULLs: only the rest of them
        return and_(col.is_(None), id_beyond)
    beyond = col < value if f.descending else col > value
    return or_(beyond, and_(col == value, id_beyond), col.is_(None))


def build(f: ItemFilter, *, limit: int, cursor: str | None = None) -> Select[Any]:
    col = _COLUMNS[f.sort]
    order = (col.desc() if f.descending else col.asc()).nulls_last()
    id_order = items.c.id.desc() if f.descending else items.c.id.asc()
    query = select(items).where(and_(true(), *conditions(f))).order_by(order, id_order)
    if cursor:
        value, item_id = decode_cursor(f, cursor)
        query = query.where(_after(f, value, item_id))
    return query.limit(limit + 1)
