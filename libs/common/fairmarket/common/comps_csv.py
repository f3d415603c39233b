"""The comps CSV format: what the collector imports and `fairmarket valuation value` reads.

Columns by header name: `title`, `price` (decimal), `currency`, `date` (ISO date)
required; `item_id` required unless given by the caller; `shipping`, `kind`
(default `sold`), `url`, `grade`, `condition`, `format`, `bids`, `quantity`,
`source` optional. Every row is validated; a file with any bad row is refused
whole, with every row's errors, so a half file is never imported.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

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
    if number < minimum:
        errors.append(f"{name} must be at least {minimum}")
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
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _row(line: int, raw: dict[str, str], item_id: uuid.UUID | None) -> CompRow | list[str]:
    errors: list[str] = []
    get = {k: (v or "").strip() for k, v in raw.items() if k}
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
    if len(get.get("title", "")) > 1000:
        errors.append("title is longer than 1000 characters")
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
        source=get.get("source") or "manual",
    )


def parse(
    data: bytes, *, item_id: uuid.UUID | None = None, max_rows: int = MAX_ROWS
) -> ParseResult:
    if len(data) > MAX_BYTES:
        raise CsvTooLarge(f"the file is over {MAX_BYTES // (1024 * 1024)} MiB")
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    result = ParseResult()
    headers = {h.strip().lower() for h in reader.fieldnames or []}
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        result.errors.append(f"missing columns: {', '.join(missing)}")
        return result
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    for index, raw in enumerate(reader):
        line = index + 2  # the header is line 1
        if index >= max_rows:
            raise CsvTooLarge(f"more than {max_rows} rows")
        parsed = _row(line, raw, item_id)
        if isinstance(parsed, list):
            result.errors.extend(f"line {line}: {e}" for e in parsed)
        else:
            result.rows.append(parsed)
    if not result.rows and not result.errors:
        result.errors.append("no rows")
    return result
