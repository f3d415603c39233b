"""ETags on reads: a client that polls an item gets 304 until something in it changed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson
from fastapi import Request, Response
from pydantic import BaseModel


def tagged(request: Request, content: BaseModel | Sequence[BaseModel]) -> Response:
    """The JSON response with a strong ETag over its body, or 304 when the client has it."""
    data = (
        content.model_dump(mode="json")
        if isinstance(content, BaseModel)
        else [m.model_dump(mode="json") for m in content]
    )
    body = orjson.dumps(data)
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    given = request.headers.get("if-none-match", "")
    wanted = {t.strip().removeprefix("W/") for t in given.split(",")} if given else set()
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if tag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
