"""The intake's REST API as the console calls it, with the signed-in person's own token:
services never import each other, and intake's rules stay intake's."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


class IntakeRefused(Exception):
    """The intake answered 4xx: its reason, and the fields it concerns (loc paths)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("reason", f"intake answered {status}"))
        self.status = status
        self.reason = str(body.get("reason") or f"intake answered {status}")
        self.fields: dict[str, str] = {}
        for detail in body.get("details") or []:
            loc = [str(p) for p in detail.get("loc", []) if p not in ("body",)]
            if loc:
                self.fields.setdefault(loc[-1], str(detail.get("msg", "")))


class IntakeClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self.base_url, self.client = base_url.rstrip("/"), client

    async def _call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.client.request(
                method,
                f"{self.base_url}{path}",
                headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                **kwargs,
            )
        except httpx.HTTPError as exc:  # nothing was taken in: say so, and keep the form
            reason = f"the intake service cannot be reached ({type(exc).__name__}): try again"
            raise IntakeRefused(503, {"reason": reason}) from exc
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"reason": response.text[:200]}
            raise IntakeRefused(response.status_code, body if isinstance(body, dict) else {})
        return response

    async def create(
        self, token: str, category: str, title: str | None, attribution: dict[str, Any]
    ) -> dict[str, Any]:
        body = {"category": category, "title": title, "attribution": attribution}
        return (await self._call(token, "POST", "/v1/intakes", json=body)).json()

    async def get(self, token: str, item_id: uuid.UUID) -> dict[str, Any]:
        return (await self._call(token, "GET", f"/v1/intakes/{item_id}")).json()

    async def set_attribution(
        self, token: str, item_id: uuid.UUID, attribution: dict[str, Any], title: str | None
    ) -> dict[str, Any]:
        body = {"attribution": attribution, "title": title}
        path = f"/v1/intakes/{item_id}/attribution"
        return (await self._call(token, "PUT", path, json=body)).json()

    async def add_photo(
        self, token: str, item_id: uuid.UUID, data: bytes, content_type: str
    ) -> dict[str, Any]:
        path = f"/v1/intakes/{item_id}/photos"
        headers = {"Content-Type": content_type}
        return (await self._call(token, "POST", path, content=data, headers=headers)).json()

    async def photos(self, token: str, item_id: uuid.UUID) -> list[dict[str, Any]]:
        return (await self._call(token, "GET", f"/v1/intakes/{item_id}/photos")).json()

    async def photo(self, token: str, item_id: uuid.UUID, photo_id: uuid.UUID) -> httpx.Response:
        """The photo's bytes as the intake serves them (its content type checked on upload)."""
        return await self._call(token, "GET", f"/v1/intakes/{item_id}/photos/{photo_id}")
