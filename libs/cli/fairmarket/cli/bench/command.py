"""`fairmarket bench valuation|valuation-accuracy|broker|api|pipeline|scale|memory|all [--json]`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from fairmarket.cli.bench import report

app = typer.Typer(help="Benchmarks: a table of figures with the machine and the exact settings.")
AsJson = Annotated[bool, typer.Option("--json", help="one JSON object instead of the table")]
Bootstrap = Annotated[
    str | None, typer.Option(help="a Kafka bootstrap address (default: embedded Tansu)")
]
status = Console(stderr=True).status


def _valuation(repeats: int) -> dict[str, float]:
    from fairmarket.cli.bench import valuation

    with status("valuation engine at 100, 10,000 and 1,000,000 comps..."):
        return valuation.run(repeats=repeats)


def _broker(bootstrap: str | None, messages: int, size: int) -> dict[str, float]:
    from fairmarket.cli.bench import broker
    from fairmarket.cli.embedded import start_broker

    with status(f"broker: {messages:,} messages of {size} bytes through aiokafka..."):
        if bootstrap:
            return broker.run(bootstrap, messages, size)
        embedded = start_broker()
        try:
            return broker.run(embedded.bootstrap, messages, size)
        finally:
            embedded.stop()


def _api(items: int, seconds: float, concurrency: int) -> dict[str, float]:
    from fairmarket.cli.bench import api
    from fairmarket.cli.stack import Stack, StackConfig

    with tempfile.TemporaryDirectory(prefix="fairmarket-bench-") as tmp:
        with status("starting the stack (embedded PostgreSQL, Tansu, services)..."):
            stack = Stack(StackConfig.for_tests(Path(tmp), log_level="WARNING")).start()
        try:
            with status(
                f"api: {items} items, {concurrency} concurrent clients, {seconds:g}s per route..."
            ):
                return api.run(stack, items, seconds, concurrency)
        finally:
            stack.stop()


@contextmanager
def _stack(comps: int) -> Iterator[tuple[Any, Path]]:
    """A stack of the benchmark's own whose sandbox answers `comps` listings per item."""
    import os

    from fairmarket.cli.stack import Stack, StackConfig

    before = os.environ.get("FAIRMARKET_SANDBOX_COUNT")
    os.environ["FAIRMARKET_SANDBOX_COUNT"] = str(comps)
    try:
        with tempfile.TemporaryDirectory(prefix="fairmarket-bench-") as tmp:
            with status("starting the stack (embedded PostgreSQL, Tansu, services)..."):
                stack = Stack(StackConfig.for_tests(Path(tmp), log_level="WARNING")).start()
            try:
                yield stack, Path(tmp)
            finally:
                stack.stop()
    finally:
        if before is None:
            os.environ.pop("FAIRMARKET_SANDBOX_COUNT", None)
        else:
            os.environ["FAIRMARKET_SANDBOX_COUNT"] = before


def _pipeline(items: int, comps: int, rate: float) -> dict[str, float]:
    from fairmarket.cli.bench import pipeline

    with _stack(comps) as (stack, _):
        with status(f"pipeline: {items} items x {comps} comps at {rate:g}/s, then all at once..."):
            return pipeline.run(stack, items, rate)


def _scale(items: int, comps: int, counts: tuple[int, ...]) -> dict[str, float]:
    from fairmarket.cli.bench import scale

    with _stack(comps) as (stack, tmp):
        with status(f"scale: {items} items x {comps} comps with {counts} replicas..."):
            return scale.run(stack, items, counts, tmp)


def _memory(minutes: float, comps: int, rate: float) -> dict[str, float]:
    from fairmarket.cli.bench import memory

    with _stack(comps) as (stack, _):
        with status(f"memory: {rate:g} items/s x {comps} comps for {minutes:g} min..."):
            return memory.run(stack, minutes, rate)


@app.command()
def valuation(as_json: AsJson = False, repeats: int = 3) -> None:
    """The engine alone at 100, 10,000 and 1,000,000 comps (ms, best of --repeats)."""
    report.emit(_valuation(repeats), {"repeats": repeats}, as_json)


@app.command("valuation-accuracy")
def valuation_accuracy(
    data: Annotated[Path, typer.Option(envvar="FAIRMARKET_SHARED_DATA")] = Path("../shared/data"),
    as_json: AsJson = False,
) -> None:
    """The engine's out-of-sample error on real card sales beside the best simple rule's
    (the headline figures of `fairmarket valuation accuracy`)."""
    from fairmarket.valuation.accuracy import measure

    with status("backtesting on real card sales..."):
        figures: dict[str, Any] = measure(data).flat()
    report.emit(figures, {"data": str(data)}, as_json)


@app.command()
def broker(
    as_json: AsJson = False, bootstrap: Bootstrap = None, messages: int = 200_000, size: int = 1024
) -> None:
    """Raw produce-to-consume rate through aiokafka, no service in between."""
    settings = {"messages": messages, "size": size, "bootstrap": bootstrap or "embedded Tansu"}
    report.emit(_broker(bootstrap, messages, size), settings, as_json)


@app.command()
def api(
    as_json: AsJson = False, items: int = 200, seconds: float = 10.0, concurrency: int = 32
) -> None:
    """Catalog item reads and filtered lists under load from a separate process."""
    settings = {"items": items, "seconds": seconds, "concurrency": concurrency}
    report.emit(_api(items, seconds, concurrency), settings, as_json)


@app.command("pipeline")
def pipeline_(
    as_json: AsJson = False, items: int = 300, comps: int = 20, rate: float = 20.0
) -> None:
    """Items through intake, collector, valuation: price points/s and end-to-end latency."""
    settings = {"items": items, "comps_per_item": comps, "offered_items_per_s": rate}
    report.emit(_pipeline(items, comps, rate), settings, as_json)


@app.command("scale")
def scale_(
    as_json: AsJson = False,
    items: int = 300,
    comps: int = 20,
    replicas: Annotated[str, typer.Option(help="replica counts, comma-separated")] = "1,2,4",
) -> None:
    """The pipeline at saturation with 1, 2 and 4 processes of collector and valuation."""
    counts = tuple(int(c) for c in replicas.split(",") if c.strip())
    settings = {"items": items, "comps_per_item": comps, "replicas": list(counts)}
    report.emit(_scale(items, comps, counts), settings, as_json)


@app.command("memory")
def memory_(
    as_json: AsJson = False, minutes: float = 10.0, comps: int = 20, rate: float = 20.0
) -> None:
    """Each service's memory over a long paced run (start, end, peak, MB per 10k items)."""
    settings = {"minutes": minutes, "comps_per_item": comps, "offered_items_per_s": rate}
    report.emit(_memory(minutes, comps, rate), settings, as_json)


@app.command("all")
def all_(
    as_json: AsJson = False,
    bootstrap: Bootstrap = None,
    messages: int = 200_000,
    items: int = 200,
    seconds: float = 10.0,
    concurrency: int = 32,
    pipeline_items: int = 300,
    comps: int = 20,
    rate: float = 20.0,
    memory_minutes: Annotated[float, typer.Option(help="0 leaves the memory run out")] = 10.0,
) -> None:
    """Every benchmark above, one table."""
    figures = (
        _valuation(3)
        | _broker(bootstrap, messages, 1024)
        | _api(items, seconds, concurrency)
        | _pipeline(pipeline_items, comps, rate)
        | _scale(pipeline_items, comps, (1, 2, 4))
        | (_memory(memory_minutes, comps, rate) if memory_minutes > 0 else {})
    )
    settings = {
        "messages": messages,
        "items": items,
        "seconds": seconds,
        "concurrency": concurrency,
        "pipeline_items": pipeline_items,
        "comps_per_item": comps,
        "offered_items_per_s": rate,
        "memory_minutes": memory_minutes,
    }
    report.emit(figures, settings, as_json)
