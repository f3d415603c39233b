"""OAuth2 client-credentials tokens, cached until shortly before they expire.

Shared by the marketplaces that issue them (eBay, TCGplayer); a 401 on a call
drops the cached token so that the adapter asks for one fresh token and tries once more.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from fairmarket.collector.adapters.base import Caller, FetchResult
from fairmarket.collector.adapters.errors import MarketplaceError, kind_of_status

SECRET_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})
_FORM_SECRET = re.compile(rb"\b(access_token|refresh_token|id_token)=[^&\s]*")


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if k in SECRET_FIELDS else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def redact_tokens(body: bytes) -> bytes:
    """A token answer as it may be kept at rest: the token values replaced by "***", the
    rest (type, lifetime, scope, errors) kept for audit."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return _FORM_SECRET.sub(rb"\1=***", body)  # form-encoded, or not a token answer
    masked = _masked(parsed)
    return body if masked == parsed else json.dumps(masked).encode()


@dataclass
class ClientCredentials:
    marketplace: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None
    basic_auth: bool = True
    _token: str | None = field(default=None, repr=False)
    _expires: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    def invalidate(self) -> None:
        self._token = None

    async def token(self, http: Caller, result: FetchResult) -> str:
        async with self._lock:  # concurrent fetches share one token request
            if self._token and time.monotonic() < self._expires:
                return self._token
            data = {"grant_type": "client_credentials"}
            if self.scope:
                data["scope"] = self.scope
            auth = None
            if self.basic_auth:
                auth = httpx.BasicAuth(self.client_id, self.client_secret)
            else:
                data |= {"client_id": self.client_id, "client_secret": self.client_secret}
            response = await http.call(
                result, "POST", self.token_url, data=data, auth=auth, redact=redact_tokens
            )
            if (status := response.status_code) != 200:
                # a token request refused as asked is our credentials' fault, whatever the 4xx
                kind = "auth" if 400 <= status < 500 and status != 429 else kind_of_status(status)
                raise MarketplaceError(kind, f"{self.marketplace} token request answered {status}")
            try:
                body = response.json()
                token = str(body["access_token"])
                lifetime = int(body.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError) as exc:
                raise MarketplaceError(
                    "bad_answer", f"{self.marketplace} token answer is malformed"
                ) from exc
            self._token = token
            self._expires = time.monotonic() + max(lifetime - 60, 30)
            return token
