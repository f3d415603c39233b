"""Comps as columns: the form every computation in the engine works on.

Converting once from objects to NumPy arrays is what makes a million comps
tractable; everything after this module is vectorized.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.model import Comp

KINDS: tuple[str, ...] = ("sold", "auction", "ask", "guide")  # codes 0, 1: prices paid
FORMATS: tuple[str, ...] = ("auction", "fixed_price", "best_offer", "unknown")


class _Codes(dict[str, int]):
    """Code of a known label; ``default`` for any other."""

    def __init__(self, labels: tuple[str, ...], default: int) -> None:
        super().__init__((label, i) for i, label in enumerate(labels))
        self.default = default

    def __missing__(self, key: object) -> int:
        return self.default


_KIND_CODE = _Codes(KINDS, -1)  # unknown kind: weighs nothing
_FORMAT_CODE = _Codes(FORMATS, FORMATS.index("unknown"))

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
I4 = npt.NDArray[np.int32]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class CompFrame:
    """Parallel arrays, one row per comp; codes index ``KINDS``, ``FORMATS``,
    ``sources`` and ``grades`` (-1: unknown kind / no grade)."""

    ids: tuple[str, ...]
    source: I4
    sources: tuple[str, ...]
    reputation: F8
    kind: I8
    price: F8  # total USD cents
    t: F8  # observed_at, epoch seconds
    match: F8
    fmt: I8
    bids: F8  # NaN when unknown
    grade: I4
    grades: tuple[str, ...]
    filtered: B1
    excluded: B1

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_comps(cls, comps: Sequence[Comp]) -> CompFrame:
        """Columns from Comp objects: one list comprehension per field, the
        fastest way CPython has to read attributes of many objects."""
        return cls.from_columns(
            price_point_id=[c.price_point_id for c in comps],
            source=[c.source for c in comps],
            reputation=[c.reputation for c in comps],
            kind=[c.kind for c in comps],
            total_usd_cents=[c.total_usd_cents for c in comps],
            observed_at=[c.observed_at for c in comps],
            match_score=[c.match_score for c in comps],
            sale_format=[c.sale_format for c in comps],
            bids=[c.bids for c in comps],
            grade=[c.grade for c in comps],
            filtered=[c.filtered for c in comps],
            excluded=[c.excluded for c in comps],
        )

    @classmethod
    def from_columns(
        cls,
        *,
        price_point_id: Sequence[str],
        source: Sequence[str],
        reputation: Sequence[float],
        kind: Sequence[str],
        total_usd_cents: Sequence[int],
        observed_at: Sequence[datetime],
        match_score: Sequence[float],
        sale_format: Sequence[str],
        bids: Sequence[int | None],
        grade: Sequence[str | None],
        filtered: Sequence[bool],
        excluded: Sequence[bool],
    ) -> CompFrame:
        """Columns named and typed as Comp's fields (e.g. straight from a
        database query), without building a Comp per row."""
        n = len(price_point_id)
        sources, source_code = _factorize(list(source))
        grade_labels, grade_code = _factorize(list(grade))
        if None in grade_labels:
            grade_code = _none_last(grade_labels, grade_code)
        return cls(
            ids=tuple(price_point_id),
            source=source_code,
            sources=tuple(sources),
            reputation=np.array(reputation, dtype=np.float64),
            kind=np.fromiter(map(_KIND_CODE.__getitem__, kind), np.int8, n),
            price=np.array(total_usd_cents, dtype=np.float64),
            t=np.fromiter(map(datetime.timestamp, observed_at), np.float64, n),
            match=np.array(match_score, dtype=np.float64),
            fmt=np.fromiter(map(_FORMAT_CODE.__getitem__, sale_format), np.int8, n),
            bids=np.array(bids, dtype=np.float64),  # None -> NaN
            grade=grade_code,
            grades=tuple(g for g in grade_labels if g is not None),
            filtered=np.array(filtered, dtype=np.bool_),
            excluded=np.array(excluded, dtype=np.bool_),
        )

    def take(self, index: npt.NDArray[np.intp]) -> CompFrame:
        """The rows at ``index`` (codes and their label tables are kept)."""
        ids = self.ids
        return CompFrame(
            ids=tuple(ids[i] for i in index.tolist()),
            source=self.source[index],
            sources=self.sources,
            reputation=self.reputation[index],
            kind=self.kind[index],
            price=self.price[index],
            t=self.t[index],
            match=self.match[index],
            fmt=self.fmt[index],
            bids=self.bids[index],
            grade=self.grade[index],
            grades=self.grades,
            filtered=self.filtered[index],
            excluded=self.excluded[index],
        )


def _factorize(values: list[Any]) -> tuple[list[Any], I4]:
    """Distinct values in first-seen order, and each value's index among them."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) <= 1:
        return distinct, np.zeros(len(values), dtype=np.int32)
    code = {v: i for i, v in enumerate(distinct)}
    return distinct, np.fromiter(map(code.__getitem__, values), np.int32, len(values))


def _none_last(labels: list[str | None], codes: I4) -> I4:
    """Recode so that ``None`` is -1 and the other labels keep their order."""
    table = np.empty(len(labels), dtype=np.int32)
    k = 0
    for i, label in enumerate(labels):
        if label is None:
            table[i] = -1
        else:
            table[i] = k
            k += 1
    return table[codes]


def dedupe(frame: CompFrame, digest: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    """Row indices keeping one row per price point id.

    The same sale delivered twice counts once. If copies disagree, the choice
    does not depend on their order: an excluded or filtered copy wins (a stale
    redelivery never undoes an exclusion), then the larger content digest.
    """
    ids = frame.ids
    if len(set(ids)) == len(ids):
        return np.arange(len(ids), dtype=np.intp)
    excluded = frame.excluded.tolist()
    filtered = frame.filtered.tolist()
    dig = digest.tolist()
    best: dict[str, int] = {}
    for i, pid in enumerate(ids):
        j = best.get(pid)
        if j is None or (excluded[i], filtered[i], dig[i]) > (excluded[j], filtered[j], dig[j]):
            best[pid] = i
    return np.sort(np.fromiter(best.values(), dtype=np.intp, count=len(best)))
