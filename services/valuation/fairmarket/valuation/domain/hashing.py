"""The inputs hash: a stable digest of what a valuation was computed from.

The service emits a valuation only when this hash changes, so it must not depend
on the order comps arrive in or on redeliveries, and must be the same in every
process (no ``hash()``: it is salted per process). Each comp gets a 64-bit
digest of its fields (CRC-32 for strings, SplitMix64 mixing, vectorized); the
set digest is SHA-256 over the sorted comp digests, the method, the as-of day
and the item's grade.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.frame import CompFrame

U8 = npt.NDArray[np.uint64]

_MULTIPLIERS = [
    np.uint64(c)
    for c in (
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x27D4EB2F165667C5,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
        0x85EBCA77C2B2AE63,
        0x2545F4914F6CDD1D,
        0x9FB21C651E98DF25,
    )
]


def _mix(x: U8) -> U8:
    """SplitMix64 finalizer: spreads every input bit over the whole word."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _crc_table(labels: tuple[str, ...]) -> U8:
    return np.array([zlib.crc32(s.encode()) + 1 for s in labels] + [0], dtype=np.uint64)


def comp_digests(frame: CompFrame, *, with_grade: bool) -> U8:
    """One 64-bit digest per row over every field that can change a valuation.

    Comp grades matter only when the item has a grade, so they are left out
    otherwise (a grade parsed differently then does not trigger a new valuation).
    """
    ids = np.fromiter(map(zlib.crc32, map(str.encode, frame.ids)), np.uint64, len(frame))
    grade = _crc_table(frame.grades)[frame.grade] if with_grade else np.zeros(1, np.uint64)
    bids = np.where(np.isnan(frame.bids), -1.0, frame.bids).astype(np.int64)
    fields = (
        _crc_table(frame.sources)[frame.source],
        frame.kind.astype(np.int64).view(np.uint64) + np.uint64(2),
        frame.price.view(np.uint64),
        np.round(frame.t * 1e6).astype(np.int64).view(np.uint64),
        frame.reputation.view(np.uint64),
        frame.match.view(np.uint64),
        frame.fmt.astype(np.uint64),
        bids.view(np.uint64),
        grade,
        frame.filtered.astype(np.uint64),
        frame.excluded.astype(np.uint64),
    )
    acc = ids * _MULTIPLIERS[0]
    for mult, column in zip(_MULTIPLIERS[1:], fields, strict=True):
        acc = acc + column * mult
    return _mix(_mix(acc) ^ ids)


def inputs_hash(digests: U8, *, method: str, as_of: datetime, grade: str | None) -> str:
    """SHA-256 hex of the sorted comp digests with the method, as-of day and grade."""
    day = as_of.astimezone(UTC).date().isoformat()
    header = f"{method}|{day}|{grade or ''}|{len(digests)}|".encode()
    h = hashlib.sha256(header)
    h.update(np.sort(digests).astype("<u8").tobytes())
    return h.hexdigest()
