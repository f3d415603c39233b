"""Collector settings: credentials from a file, stores by source name, rates over the table."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from fairmarket.collector.adapters.registry import build_adapters
from fairmarket.collector.domain.money import rates_from
from fairmarket.collector.settings import CollectorSettings
from fairmarket.common.events import SourceRef

SECRET = "x" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are read from the environment: start from none of ours."""
    for name in list(os.environ):
        if name.startswith("FAIRMARKET_"):
            monkeypatch.delenv(name)


def test_a_credential_file_is_read_and_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "discogs_token"
    token.write_text("s3cret-discogs-token\n")
    monkeypatch.setenv("FAIRMARKET_DISCOGS_TOKEN_FILE", str(token))
    monkeypatch.setenv(
        "FAIRMARKET_STORES",
        '{"acme-coffee": {"adapter": "shopify", "base_url": "https://acme.example", '
        '"currency": "EUR"}}',
    )
    monkeypatch.setenv("FAIRMARKET_USD_RATES", '{"sek": "0.095"}')
    settings = CollectorSettings(jwt_secret=SECRET)
    assert settings.discogs_token is not None
    assert settings.discogs_token.get_secret_value() == "s3cret-discogs-token"
    assert "s3cret" not in repr(settings)
    adapters = build_adapters(settings)
    acme = SourceRef(
        id="00000000-0000-0000-0000-000000000001", name="acme-coffee", adapter="shopify"
    )
    other = acme.model_copy(update={"name": "other-shop"})
    assert adapters.for_source(acme) is not None and adapters.for_source(other) is None
    assert "discogs" in adapters and "ebay" not in adapters
    assert rates_from(settings).to_usd_cents(Decimal("100"), "SEK") == 950


def test_an_unreadable_credential_file_stops_the_service_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="discogs_token_file"):
        CollectorSettings(jwt_secret=SECRET, discogs_token_file=tmp_path / "missing")
