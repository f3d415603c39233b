"""`fairmarket up` with a shop's own marketplace settings: those are used, the sandbox serves
only the others, and the services get no sandbox value for a marketplace that is the shop's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fairmarket.cli.marketplaces import MarketplaceSettingsError, plan, read_file, stack_settings
from fairmarket.cli.stack import Stack, StackConfig, sandbox_marketplaces
from fairmarket.cli.stack_config import SANDBOX_SOURCES

EBAY = {
    "FAIRMARKET_EBAY_BASE_URL": "https://api.sandbox.ebay.com",
    "FAIRMARKET_EBAY_CLIENT_ID": "shop-id",
    "FAIRMARKET_EBAY_CLIENT_SECRET_FILE": "/run/secrets/ebay",
}


def test_a_marketplace_with_its_credentials_is_the_shops_own() -> None:
    chosen = plan(EBAY | {"HOME": "/root"}, {}, sandbox=True)
    assert list(chosen.own) == ["ebay"]
    assert chosen.own["ebay"] == EBAY
    assert chosen.sandbox == ("discogs", "tcgplayer", "stores")
    assert chosen.describe() == [
        "ebay       yours: https://api.sandbox.ebay.com",
        "discogs    sandbox",
        "tcgplayer  sandbox",
        "stores     sandbox",
    ]
    # half the credentials is no marketplace of the shop's
    half = plan({"FAIRMARKET_TCGPLAYER_PUBLIC_KEY": "k"}, {}, sandbox=False)
    assert half.own == {} and half.sandbox == ()
    assert half.describe()[2] == "tcgplayer  none (no settings given, sandbox off)"


def test_the_file_is_read_over_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "marketplaces.env"
    stores = {"my-shop": {"adapter": "shopify", "base_url": "https://shop.example"}}
    path.write_text(
        "# the shop's marketplaces\n"
        "export FAIRMARKET_DISCOGS_TOKEN='tok en'\n"
        f"FAIRMARKET_STORES={json.dumps(stores)}\n"
    )
    values = read_file(path)
    assert values["FAIRMARKET_DISCOGS_TOKEN"] == "tok en"
    chosen = plan({"FAIRMARKET_DISCOGS_TOKEN": "old"}, values, sandbox=True)
    assert chosen.own["discogs"] == {"FAIRMARKET_DISCOGS_TOKEN": "tok en"}
    assert chosen.sandbox == ("ebay", "tcgplayer")
    assert [s["name"] for s in chosen.sources()] == ["discogs", "my-shop"]
    # the demo keeps the sandbox's TCGplayer source, not its stores: those are the shop's
    assert [s["name"] for s in chosen.demo_sources(SANDBOX_SOURCES)] == [
        "tcgplayer",
        "discogs",
        "my-shop",
    ]
    settings = stack_settings(chosen, sandbox=True)
    assert settings["own_marketplaces"] == ("discogs", "stores")
    assert settings["extra_env"]["FAIRMARKET_DISCOGS_TOKEN"] == "tok en"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("EBAY_CLIENT_ID=x\n", "line 1: expected FAIRMARKET_<SETTING>=<value>"),
        ("# fine\nFAIRMARKET_EBAY_CLIENT_ID\n", "line 2: expected FAIRMARKET_<SETTING>=<value>"),
    ],
)
def test_a_bad_file_says_which_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "m.env"
    path.write_text(text)
    with pytest.raises(MarketplaceSettingsError, match=error):
        read_file(path)


def test_unusable_stores_are_refused_with_the_reason() -> None:
    with pytest.raises(MarketplaceSettingsError, match="store 'x' has no adapter"):
        plan({"FAIRMARKET_STORES": '{"x": {}}'}, {}, sandbox=True)


def test_the_services_get_no_sandbox_value_for_the_shops_marketplace(tmp_path: Path) -> None:
    assert sandbox_marketplaces("http://127.0.0.1:8010")["FAIRMARKET_SOURCE_RATE_LIMITS"] == "false"
    chosen = plan(EBAY, {"FAIRMARKET_DISCOGS_TOKEN": "t"}, sandbox=True)
    config = StackConfig(
        data_dir=tmp_path,
        database_url="postgresql+asyncpg://u:p@127.0.0.1:5432/db",
        **stack_settings(chosen, sandbox=True),
    )
    env = Stack(config).env
    # eBay's settings are the inherited environment's, Discogs' the file's: none the sandbox's
    assert not [k for k in env if k.startswith("FAIRMARKET_EBAY_")]
    assert env["FAIRMARKET_DISCOGS_TOKEN"] == "t"
    assert "FAIRMARKET_DISCOGS_BASE_URL" not in env
    assert env["FAIRMARKET_TCGPLAYER_BASE_URL"] == "http://127.0.0.1:8010"
    assert "FAIRMARKET_SOURCE_RATE_LIMITS" not in env  # a real marketplace keeps its limits
