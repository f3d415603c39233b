"""`fairmarket collector ...`: replay stored raw responses through normalization."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="The collector: replay stored marketplace responses, measure the comp filters.",
    no_args_is_help=True,
)


@app.command("replay")
def replay_cmd(
    request_id: Annotated[uuid.UUID, typer.Argument(help="the pricing request to replay")],
) -> None:
    """Re-normalize a request's stored raw responses (no marketplace call); emit what changed."""
    from fairmarket.collector.bootstrap import bootstrap
    from fairmarket.collector.replay import UnknownRequest, replay
    from fairmarket.collector.settings import CollectorSettings

    async def run() -> str:
        service = bootstrap(CollectorSettings())  # type: ignore[call-arg]
        collector = service.collector
        try:
            async with service.runtime.units.begin() as uow:
                report = await replay(uow, request_id, collector.rates, collector.adapters)
        finally:
            await service.close()
        return (
            f"replayed {report.exchanges} stored responses: {report.price_points} price points, "
            f"{report.changed} changed and emitted"
        )

    try:
        typer.echo(asyncio.run(run()))
    except UnknownRequest as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@app.command("relevance")
def relevance_cmd(
    data: Annotated[
        Path, typer.Option(help="the real captures (shared/data)", exists=True, file_okay=False)
    ],
    labels: Annotated[
        Path | None,
        typer.Option(help="hand-label files (default: tests/collector/relevance_labels)"),
    ] = None,
    show_misses: Annotated[
        bool, typer.Option("--misses", help="list each kept non-item and dropped item")
    ] = False,
) -> None:
    """Precision and recall of the comp filters per hand-labelled real capture; exits 1 when
    a capture misses the targets (precision >= 95%, recall >= 90%)."""
    from fairmarket.collector.relevance import LABELS, score_all, table

    try:
        scores = score_all(data, labels or LABELS)
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"cannot measure: {exc}", err=True)
        raise typer.Exit(2) from exc
    for line in table(scores):
        typer.echo(line)
    if show_misses:
        for s in scores:
            for listing_id, title, what in s.wrong:
                typer.echo(f"{s.attribution} | {listing_id} | {title} | {what}")
    failing = [s for s in scores if not s.meets_targets]
    for s in failing:
        typer.echo(f"below target: {s.capture} for {s.attribution}", err=True)
    raise typer.Exit(1 if failing else 0)
