"""Which marketplaces `fairmarket up` collects from: the shop's own where their settings are
given (the FAIRMARKET_* variables the collector reads, from the environment or a
`--marketplaces FILE`), the sandbox for the others (unless it is off).

A marketplace is given when its credentials are, as a value or a `_FILE`: eBay's client
id and secret, Discogs' token, TCGplayer's key pair, FAIRMARKET_STORES for shops.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class MarketplaceSettingsError(ValueError):
    """A marketplaces file or setting that cannot be used; the message says which line."""


@dataclass(frozen=True)
class Marketplace:
    name: str
    prefix: str
    required: tuple[str, ...]
    base_url: str | None  # where the collector calls it unless FAIRMARKET_<X>_BASE_URL says
    sandbox_sources: tuple[str, ...]  # the demo's sources this marketplace serves


MARKETPLACES = (
    Marketplace(
        "ebay",
        "FAIRMARKET_EBAY_",
        ("FAIRMARKET_EBAY_CLIENT_ID", "FAIRMARKET_EBAY_CLIENT_SECRET"),
        "https://api.ebay.com",
        (),  # the catalog's own "ebay" source
    ),
    Marketplace(
        "discogs",
        "FAIRMARKET_DISCOGS_",
        ("FAIRMARKET_DISCOGS_TOKEN",),
        "https://api.discogs.com",
        ("discogs",),
    ),
    Marketplace(
        "tcgplayer",
        "FAIRMARKET_TCGPLAYER_",
        ("FAIRMARKET_TCGPLAYER_PUBLIC_KEY", "FAIRMARKET_TCGPLAYER_PRIVATE_KEY"),
        "https://api.tcgplayer.com",
        ("tcgplayer",),
    ),
    Marketplace(
        "stores",
        "FAIRMARKET_STORES",
        ("FAIRMARKET_STORES",),
        None,
        ("sandbox-shopify", "sandbox-woocommerce"),
    ),
)
# the catalog sources a shop's own marketplace needs (eBay's is seeded by the catalog)
_SOURCES = {
    "discogs": {"name": "discogs", "adapter": "discogs", "categories": ["record"], "reputation": 0.8},
    "tcgplayer": {"name": "tcgplayer", "adapter": "tcgplayer", "categories": ["card"],
                  "reputation": 0.8},
}  # fmt: skip


def read_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (an `export ` prefix, quotes and `#` comment lines allowed): every
    key a FAIRMARKET_ setting, as in the environment."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise MarketplaceSettingsError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    values = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.startswith("FAIRMARKET_"):
            raise MarketplaceSettingsError(
                f"{path} line {number}: expected FAIRMARKET_<SETTING>=<value>"
            )
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _given(m: Marketplace, values: Mapping[str, str]) -> bool:
    return all(values.get(k, "").strip() or values.get(f"{k}_FILE", "").strip() for k in m.required)


@dataclass(frozen=True)
class Plan:
    own: dict[str, dict[str, str]]
    """Each marketplace the shop's settings serve, with those settings (secrets included)."""
    sandbox: tuple[str, ...]
    """The marketplaces the sandbox serves."""
    from_file: dict[str, str] = field(default_factory=dict)
    """Settings read from the marketplaces file: the services get them besides the environment."""

    def sources(self) -> list[dict[str, Any]]:
        """The catalog sources to register for the shop's own marketplaces."""
        out = [_SOURCES[name] for name in self.own if name in _SOURCES]
        stores = self.own.get("stores", {}).get("FAIRMARKET_STORES")
        if stores:
            out += [
                {"name": name, "adapter": store["adapter"], "categories": ["product"],
                 "reputation": 0.7}
                for name, store in json.loads(stores).items()
            ]  # fmt: skip
        return out

    def demo_sources(self, sandbox_sources: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The sandbox's sources of the marketplaces it serves, and the shop's own."""
        served = {s for m in MARKETPLACES if m.name in self.sandbox for s in m.sandbox_sources}
        return [s for s in sandbox_sources if s["name"] in served] + self.sources()

    def describe(self) -> list[str]:
        """One line per marketplace: the shop's own (and where), the sandbox, or none."""
        lines = []
        for m in MARKETPLACES:
            if m.name in self.own:
                settings = self.own[m.name]
                where = settings.get(f"{m.prefix}BASE_URL") or m.base_url
                if m.name == "stores":
                    where = ", ".join(json.loads(settings["FAIRMARKET_STORES"]))
                lines.append(f"{m.name:<10} yours: {where}")
            elif m.name in self.sandbox:
                lines.append(f"{m.name:<10} sandbox")
            else:
                lines.append(f"{m.name:<10} none (no settings given, sandbox off)")
        return lines


def plan(environ: Mapping[str, str], from_file: Mapping[str, str], *, sandbox: bool) -> Plan:
    """The file's settings over the environment's; a marketplace with its credentials is the
    shop's own, the sandbox serves the rest when it runs."""
    values = {k: v for k, v in environ.items() if k.startswith("FAIRMARKET_")} | dict(from_file)
    own = {}
    for m in MARKETPLACES:
        if _given(m, values):
            own[m.name] = {k: v for k, v in values.items() if k.startswith(m.prefix)}
    if stores := own.get("stores", {}).get("FAIRMARKET_STORES"):
        try:
            parsed = json.loads(stores)
            if not isinstance(parsed, dict):
                raise ValueError("not an object")
            for name, store in parsed.items():
                if not isinstance(store, dict) or "adapter" not in store:
                    raise ValueError(f"store {name!r} has no adapter")
        except ValueError as exc:
            raise MarketplaceSettingsError(f"FAIRMARKET_STORES is not usable: {exc}") from exc
    rest = tuple(m.name for m in MARKETPLACES if m.name not in own) if sandbox else ()
    return Plan(own, rest, dict(from_file))


def stack_settings(p: Plan, *, sandbox: bool) -> dict[str, Any]:
    """What the stack's config takes from the plan (StackConfig fields)."""
    return {"sandbox": sandbox, "own_marketplaces": tuple(p.own), "extra_env": dict(p.from_file)}
