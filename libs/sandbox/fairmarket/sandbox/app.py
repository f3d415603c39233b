"""The sandbox marketplace: marketplaces' API formats from bundled data, with faults on demand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from fairmarket.sandbox import discogs, ebay, stores, tcgplayer

FaultMode = Literal["429", "500", "garbage", "hang"]


class FaultPlan(BaseModel):
    mode: FaultMode
    count: int = Field(default=1, ge=1, le=1_000_000)


@dataclass
class SandboxState:
    seed: int = 0
    count: int = 60
    token_ttl: int = 7200
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tokens: dict[str, tuple[float, set[str]]] = field(default_factory=dict)
    faults: list[FaultMode] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock()

    def fault(self) -> Response | None:
        """The next planned fault, if any (429 with Retry-After, 500, garbage, a hang)."""
        if not self.faults:
            return None
        mode = self.faults.pop(0)
        if mode == "429":
            return JSONResponse(
                {
                    "errors": [
                        {
                            "errorId": 2001,
                            "domain": "ACCESS",
                            "category": "REQUEST",
                            "message": "The request limit has been reached for the resource.",
                        }
                    ]
                },
                status_code=429,
                headers={"Retry-After": "1"},
            )
        if mode == "500":
            return JSONResponse(
                {
                    "errors": [
                        {
                            "errorId": 12000,
                            "domain": "API_BROWSE",
                            "category": "APPLICATION",
                            "message": "There was a problem with an eBay internal system.",
                        }
                    ]
                },
                status_code=500,
            )
        if mode == "garbage":
            return PlainTextResponse(
                "<html>Bad gateway</html>", status_code=200, media_type="application/json"
            )
        return _HANG


_HANG = Response(status_code=599)


def create_app(
    *,
    seed: int = 0,
    count: int = 60,
    token_ttl_seconds: int = 7200,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    state = SandboxState(seed=seed, count=count, token_ttl=token_ttl_seconds)
    if clock is not None:
        state.clock = clock
    app = FastAPI(title="fairmarket sandbox marketplace")
    app.state.sandbox = state

    @app.middleware("http")
    async def hang(request: Any, call_next: Any) -> Response:
        response = await call_next(request)
        if response.status_code == 599:
            await asyncio.sleep(3600)  # a marketplace that never answers
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/_sandbox/faults", status_code=204)
    async def plan_faults(plan: FaultPlan) -> Response:
        state.faults.extend([plan.mode] * plan.count)
        return Response(status_code=204)

    @app.delete("/_sandbox/faults", status_code=204)
    async def clear_faults() -> Response:
        state.faults.clear()
        return Response(status_code=204)

    for api in (ebay, discogs, tcgplayer, stores):
        app.include_router(api.router(state))
    return app
