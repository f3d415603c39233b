"""The `fairmarket` command: one typer app, each command group in its own module."""

from __future__ import annotations

import typer

from fairmarket.cli import dlq, ops, up, users
from fairmarket.cli.bench.command import app as bench_app
from fairmarket.collector import cli as collector_cli
from fairmarket.valuation import cli as valuation_cli

app = typer.Typer(
    name="fairmarket",
    help="fairmarket: fair market values for collectibles from real market evidence.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("up")(up.up)
ops.register(app)
app.add_typer(valuation_cli.app, name="valuation")
app.add_typer(dlq.app, name="dlq")
app.add_typer(collector_cli.app, name="collector")
app.add_typer(bench_app, name="bench")
app.add_typer(users.app, name="user")


if __name__ == "__main__":  # pragma: no cover
    app()
