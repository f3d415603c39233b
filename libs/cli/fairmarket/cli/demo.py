"""`fairmarket up --demo`: take in four items and show their valuations as they arrive.

Goes through the public APIs only (intake in, catalog out), as a user would, so
the demo is also a smoke test of the whole pipeline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class DemoItem:
    label: str
    body: dict[str, Any]


def _item(category: str, label: str, /, **attribution: Any) -> DemoItem:
    """Positional-only, so a record's `title` attribute is just another field."""
    body = {
        "category": category,
        "title": label,
        "attribution": {"category": category, **attribution},
    }
    return DemoItem(label, body)


DEMO_ITEMS = (
    _item(
        "coin",
        "1921-D Morgan dollar, MS-63",
        year=1921,
        mintmark="D",
        denomination="Morgan Dollar",
        grade="MS63",
    ),
    _item(
        "card",
        "Charizard holo, Pokémon Base Set 4/102, PSA 10",
        game="Pokémon",
        set="Base Set",
        number="4/102",
        name="Charizard",
        variant="Holo",
        grade="PSA 10",
        year=1999,
    ),
    _item(
        "record",
        "Pink Floyd, The Dark Side of the Moon (Harvest SHVL 804, UK first pressing), VG+",
        artist="Pink Floyd",
        title="The Dark Side of the Moon",
        label="Harvest",
        catalog_number="SHVL 804",
        format="LP",
        year=1973,
        media_grade="VG+",
        sleeve_grade="VG+",
    ),
    _item(
        "product",
        "Onyx Coffee Lab Geometry whole bean coffee, 250g bag",
        brand="Onyx Coffee Lab",
        name="Geometry Whole Bean Coffee",
        variant="250g",
    ),
)


@dataclass
class Row:
    item: DemoItem
    id: str | None = None
    status: str = "taking in"
    valuation: dict[str, Any] | None = None
    problem: str | None = None
    sources: str = ""

    @property
    def done(self) -> bool:
        return self.valuation is not None or self.problem is not None


@dataclass
class DemoResult:
    rows: list[Row] = field(default_factory=list)
    message: str = ""

    @property
    def complete(self) -> bool:
        return all(r.valuation is not None for r in self.rows)


def money(cents: Any) -> str:
    return f"${cents / 100:,.2f}" if isinstance(cents, int | float) else "—"


WIDE = 150  # narrower, the explanations are printed under the table instead of in it


def render(rows: list[Row], elapsed: float, wide: bool = True) -> Table:
    table = Table(title=f"demo valuations ({elapsed:.0f}s)", expand=True, title_justify="left")
    table.add_column("item", ratio=3)
    table.add_column("status", no_wrap=True)
    table.add_column("FMV", justify="right", no_wrap=True)
    table.add_column("likely, 2 wks", justify="right", no_wrap=True)  # the 80% forward range
    if wide:  # narrower, the explanation under the table says p10-p90
        table.add_column("p10-p90", justify="right", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("comps by source", ratio=2)
    if wide:
        table.add_column("explanation", ratio=4)
    for row in rows:
        v = row.valuation or {}
        style = "green" if row.valuation else ("red" if row.problem else "yellow")
        spread = f"{money(v.get('p10_usd_cents'))} - {money(v.get('p90_usd_cents'))}" if v else ""
        low, high = v.get("fmv_low_usd_cents"), v.get("fmv_high_usd_cents")
        likely = f"{money(low)} - {money(high)}" if low is not None and high is not None else ""
        confidence = f"{v['confidence']}/10" if v.get("confidence") is not None else ""
        cells = [
            row.item.label,
            Text(row.status, style=style),
            money(v.get("fmv_usd_cents")) if v else "",
            likely,
            *([spread] if wide else []),
            confidence,
            row.sources,
        ]
        table.add_row(*cells, *([row.problem or v.get("explanation") or ""] if wide else []))
    return table


COMPS_SHOWN = 12  # per item; the rest are a GET /v1/items/{id}/comps away


def comp_status(comp: dict[str, Any]) -> Text:
    if comp.get("excluded"):
        return Text(f"excluded: {comp.get('excluded_reason') or 'by an admin'}", style="red")
    if comp.get("filtered"):
        return Text(f"filtered: {comp.get('filtered_reason') or 'junk'}", style="yellow")
    if comp.get("outlier"):
        return Text("outlier", style="magenta")
    return Text("kept", style="green")  # by the filters; the explanation says what the value used


def comps_table(row: Row, comps: list[dict[str, Any]]) -> Table:
    """What the valuation rests on: each comp's source, kind, normalized total, and why
    a comp was set aside."""
    shown = comps[:COMPS_SHOWN]
    rest = len(comps) - len(shown)
    table = Table(
        title=f"{row.item.label}: {len(comps)} comps",
        title_justify="left",
        caption=f"{rest} more: GET /v1/items/{row.id}/comps" if rest else None,
        caption_justify="left",
    )
    for name, justify in (("source", "left"), ("kind", "left"), ("total", "right")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("date", no_wrap=True)
    table.add_column("title", ratio=1, overflow="ellipsis", no_wrap=True)
    table.add_column("status")
    for comp in shown:
        table.add_row(
            comp.get("source", ""),
            comp.get("kind", ""),
            money(comp.get("total_usd_cents")),
            str(comp.get("observed_at", ""))[:10],
            comp.get("title", ""),
            comp_status(comp),
        )
    return table


def explanations(console: Console, rows: list[Row]) -> None:
    for row in rows:
        text = row.problem or (row.valuation or {}).get("explanation")
        if text:
            console.print(Text(row.item.label, style="bold"), Text(text), sep="\n", end="\n\n")


class Demo:
    """Takes the items in, then polls the catalog until each has a valuation."""

    def __init__(
        self,
        client: httpx.Client,
        urls: dict[str, str],
        token: str,
        sources: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.client = client
        self.urls = urls
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sources = sources

    def register_sources(self) -> str | None:
        """Add the demo's sources through the catalog API, as an admin would; None when done."""
        url = f"{self.urls['catalog']}/v1/sources"
        try:
            listed = self.client.get(url, headers=self.headers)
            have = {s["name"] for s in listed.json()} if listed.status_code == 200 else set()
            for source in self.sources:
                if source["name"] in have:
                    continue
                r = self.client.post(url, json=source, headers=self.headers)
                if r.status_code != 201:
                    return (
                        f"adding source {source['name']} answered {r.status_code}: {r.text[:200]}"
                    )
        except httpx.HTTPError as exc:
            return f"catalog unreachable: {exc}"
        return None

    def take_in(self, row: Row) -> None:
        try:
            r = self.client.post(
                f"{self.urls['intake']}/v1/intakes", json=row.item.body, headers=self.headers
            )
        except httpx.HTTPError as exc:
            row.status, row.problem = "failed", f"intake unreachable: {exc}"
            return
        if r.status_code != 201:
            row.status, row.problem = "refused", f"intake answered {r.status_code}: {r.text[:200]}"
            return
        row.id, row.status = r.json()["id"], "taken in"

    def refresh(self, row: Row) -> None:
        if row.done or row.id is None:
            return
        try:
            r = self.client.get(f"{self.urls['catalog']}/v1/items/{row.id}", headers=self.headers)
        except httpx.HTTPError:
            return  # a restarting catalog: try again on the next round
        if r.status_code == 200:
            body = r.json()
            row.valuation = body.get("valuation")
            row.sources = ", ".join(
                f"{run['source']} {run['collected'] - run['filtered']}"
                + (f"+{run['filtered']} filtered" if run["filtered"] else "")
                + (f" ({run['status']})" if run["status"] not in ("ok", "completed") else "")
                for run in body.get("latest_runs") or []
            )
            row.status = "valued" if row.valuation else "pricing"

    def comps(self, row: Row) -> list[dict[str, Any]]:
        try:
            r = self.client.get(
                f"{self.urls['catalog']}/v1/items/{row.id}/comps", headers=self.headers
            )
        except httpx.HTTPError:
            return []
        return list(r.json()) if r.status_code == 200 else []

    def run(
        self,
        console: Console,
        timeout: float = 180.0,
        interval: float = 0.5,
        failures: Callable[[], dict[str, str]] | None = None,
    ) -> DemoResult:
        result = DemoResult([Row(item) for item in DEMO_ITEMS])
        if problem := self.register_sources():
            result.message = problem
            return result
        began = time.monotonic()
        wide = console.width >= WIDE
        with Live(render(result.rows, 0, wide), console=console, refresh_per_second=4) as live:
            for row in result.rows:
                self.take_in(row)
                live.update(render(result.rows, time.monotonic() - began, wide))
            while not all(r.done for r in result.rows):
                if failures and (failed := failures()):
                    result.message = "demo stopped: " + "; ".join(failed.values())
                    break
                if time.monotonic() - began > timeout:
                    break
                time.sleep(interval)
                for row in result.rows:
                    self.refresh(row)
                live.update(render(result.rows, time.monotonic() - began, wide))
        if not console.is_terminal:
            console.line()  # Live leaves a plain-text table without its last newline
        if not wide:
            explanations(console, result.rows)
        for row in result.rows:
            if row.valuation is not None and (comps := self.comps(row)):
                console.print(comps_table(row, comps))
        missing = [r.item.body["category"] for r in result.rows if r.valuation is None]
        if missing and not result.message:
            problems = [r.problem for r in result.rows if r.problem]
            result.message = (
                f"no valuation after {timeout:g}s for: {', '.join(missing)}"
                if not problems
                else "; ".join(problems)
            )
        return result
