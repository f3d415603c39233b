"""The comps CSV format: what the collector imports and `fairmarket valuation value` reads.

Columns by header name: `title`, `price` (decimal), `currency`, `date` (ISO date)
required; `item_id` required unless given by the caller; `shipping`, `kind`
(default `sold`), `url`, `grade`, `condition`, `format`, `bids`, `quantity`,
`source` optional. Every row is validated; a file with any bad row is refused
whole, with every row's errors, so a half file is never imported.

The checks are those of everything downstream (`fairmarket.common.inputs`): no NUL
in any field, lengths within the columns the comps are stored in, whole numbers
within a 32-bit column, dates from 1900 to tomorrow (a year-1 date broke the
valuation), and http(s) URLs only. A comp's source is the import's own: `manual`,
or `manual:<name>` for a `source` column, never a marketplace's name.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from fairmarket.common.inputs import INT_MAX, in_range, not_in_future, storable, web_url

REQUIRED = ("title", "price", "currency", "date")
OPTIONAL = (
    "item_id",
    "shipping",
    "kind",
    "url",
    "grade",
    "condition",
    "format",
    "bids",
    "quantity",
    "source",
)
KINDS = {"sold", "ask", "auction", "guide"}
FORMATS = {"auction", "fixed_price", "best_offer", "unknown"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_LENGTHS = {"title": 1000, "url": 2000, "grade": 100, "condition": 100, "source": 90}
SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")


@dataclass(frozen=True)
class CompRow:
    line: int
    item_id: uuid.UUID
    title: str
    price: Decimal
    currency: str
    observed_at: datetime
    shipping: Decimal = Decimal("0")
    kind: str = "sold"
    url: str | None = None
    grade: str | None = None
    condition: str | None = None
    sale_format: str = "unknown"
    bids: int | None = None
    quantity: int = 1
    source: str = "manual"


@dataclass
class ParseResult:
    rows: list[CompRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class CsvTooLarge(ValueError):
    pass


def _decimal(value: str, name: str, errors: list[str]) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        errors.append(f"{name} {value!r} is not a number")
        return None
    if not amount.is_finite() or amount < 0:
        errors.append(f"{name} {value!r} must be a non-negative number")
        return None
    if amount > Decimal("100000000"):
        errors.append(f"{name} {value!r} is implausibly large")
        return None
    return amount


def _int(value: str, name: str, errors: list[str], minimum: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        errors.append(f"{name} {value!r} is not a whole number")
        return None
    if number < minimum or number > INT_MAX:
        errors.append(f"{name} must be from {minimum} to {INT_MAX}")
        return None
    return number


def _date(value: str, errors: list[str]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
        except ValueError:
            errors.append(f"date {value!r} is not an ISO date (YYYY-MM-DD)")
            return None
    try:
        return not_in_future(in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)))
    except ValueError as exc:
        errors.append(f"date {value!r}: {exc}")
        return None


def _source(value: str, errors: list[str]) -> str:
    """The import's own source: `manual`, or `manual:<name>` (a venue, never a marketplace's
    provenance: a spreadsheet row cannot claim to come from eBay's API)."""
    name = value.lower().removeprefix("manual:")
    if not name or name == "manual":
        return "manual"
    if not SOURCE_NAME.fullmatch(name):
        errors.append(f"source {value!r} must be letters, digits, '_', '.' or '-'")
    return f"manual:{name}"


def _row(line: int, raw: dict[str, str], item_id: uuid.UUID | None) -> CompRow | list[str]:
    errors: list[str] = []
    get = {k: (v or "").strip() for k, v in raw.items() if k and isinstance(v, str)}
    for name, value in get.items():
        try:
            storable(value)
        except ValueError as exc:
            errors.append(f"{name}: {exc}")
    if errors:
        return errors
    for name, longest in MAX_LENGTHS.items():
        if len(get.get(name, "")) > longest:
            errors.append(f"{name} is longer than {longest} characters")
    for name in REQUIRED:
        if not get.get(name):
            errors.append(f"{name} is required")
    row_item = item_id
    if get.get("item_id"):
        try:
            row_item = uuid.UUID(get["item_id"])
        except ValueError:
            errors.append(f"item_id {get['item_id']!r} is not a UUID")
    elif item_id is None:
        errors.append("item_id is required (a column, or given with the upload)")
    price = _decimal(get["price"], "price", errors) if get.get("price") else None
    shipping = _decimal(get["shipping"], "shipping", errors) if get.get("shipping") else Decimal(0)
    currency = get.get("currency", "").upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        errors.append(f"currency {currency!r} is not a 3-letter code")
    observed = _date(get["date"], errors) if get.get("date") else None
    kind = (get.get("kind") or "sold").lower()
    if kind not in KINDS:
        errors.append(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    sale_format = (get.get("format") or "unknown").lower().replace(" ", "_")
    if sale_format not in FORMATS:
        errors.append(f"format {sale_format!r} is not one of {', '.join(sorted(FORMATS))}")
    bids = _int(get["bids"], "bids", errors, 0) if get.get("bids") else None
    quantity = _int(get["quantity"], "quantity", errors, 1) if get.get("quantity") else 1
    if get.get("url"):
        try:
            web_url(get["url"])
        except ValueError as exc:
            errors.append(f"url {get['url'][:100]!r}: {exc}")
    source = _source(get.get("source", ""), errors)
    if errors:
        return errors
    assert row_item and price is not None and observed and shipping is not None
    return CompRow(
        line=line,
        item_id=row_item,
        title=get["title"],
        price=price,
        currency=currency,
        observed_at=observed,
        shipping=shipping,
        kind=kind,
        url=get.get("url") or None,
        grade=get.get("grade") or None,
        condition=get.get("condition") or None,
        sale_format=sale_format,
        bids=bids,
        quantity=quantity or 1,
        source=source,
    )


def parse(
    data: bytes, *, item_id: uuid.UUID | None = None, max_rows: int = MAX_ROWS
) -> ParseResult:
    if len(data) > MAX_BYTES:
        raise CsvTooLarge(f"the file is over {MAX_BYTES // (1024 * 1024)} MiB")
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    result = ParseResult()
    try:
        headers = {h.strip().lower() for h in reader.fieldnames or []}
    except csv.Error as exc:
        result.errors.append(f"the header is not CSV: {exc}")
        return result
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        result.errors.append(f"missing columns: {', '.join(missing)}")
        return result
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    try:
        for index, raw in enumerate(reader):
            line = index + 2  # the header is line 1
            if index >= max_rows:
                raise CsvTooLarge(f"more than {max_rows} rows")
            parsed = _row(line, raw, item_id)
            if isinstance(parsed, list):
                result.errors.extend(f"line {line}: {e}" for e in parsed)
            else:
                result.rows.append(parsed)
    except csv.Error as exc:
        result.errors.append(f"line {reader.line_num}: not CSV: {exc}")
    if not result.rows and not result.errors:
        result.errors.append("no rows")
    return result
