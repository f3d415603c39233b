"""ETags on reads: a client that polls an item gets 304 until something in it changed."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse


def tagged(request: Request, content: Any) -> Response:
    """The JSON response with a strong ETag over its body, or 304 when the client has it."""
    response = JSONResponse(jsonable_encoder(content))
    tag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    wanted = {
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    }
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if tag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
