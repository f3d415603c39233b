"""Which photos intake accepts: judged by their bytes, never by a name or a declared type.

Pure, no I/O. A file called coin.jpg that is an HTML page, a script or a huge
blob is refused with the reason.
"""

from __future__ import annotations

import uuid
from typing import Literal

Rejection = Literal["too_large", "mislabelled", "not_a_photo"]

SIGNATURES = (
    ("image/jpeg", 0, b"\xff\xd8\xff"),
    ("image/png", 0, b"\x89PNG\r\n\x1a\n"),
    ("image/gif", 0, b"GIF87a"),
    ("image/gif", 0, b"GIF89a"),
)
MIN_BYTES = 32  # smaller than any real photo's headers


class PhotoRejected(ValueError):
    """The reason is safe to show to the person uploading; `kind` says which rule refused
    it, so the API answers 413, 415 or 422 without reading the words."""

    def __init__(self, reason: str, kind: Rejection) -> None:
        super().__init__(reason)
        self.kind: Rejection = kind


def photo_url(item_id: uuid.UUID, photo_id: uuid.UUID) -> str:
    """Where intake serves a photo's bytes: the API's answers and the event give this."""
    return f"/v1/intakes/{item_id}/photos/{photo_id}"


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are, or None."""
    for media_type, offset, magic in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return None


def check_photo(data: bytes, declared: str | None, max_bytes: int) -> str:
    """The photo's media type, or PhotoRejected saying why not."""
    if len(data) > max_bytes:
        raise PhotoRejected(
            f"the photo is {len(data):,} bytes; the limit is {max_bytes:,}", "too_large"
        )
    if len(data) < MIN_BYTES:
        raise PhotoRejected("the upload is empty or too small to be a photo", "not_a_photo")
    actual = sniff(data)
    if actual is None:
        raise PhotoRejected("the upload is not a JPEG, PNG, GIF, WebP or HEIC image", "not_a_photo")
    claimed = (declared or "").split(";")[0].strip().lower()
    if claimed not in ("", "application/octet-stream", actual):
        raise PhotoRejected(f"the upload says {claimed} but its content is {actual}", "mislabelled")
    return actual
