"""`fairmarket up`: the all-in-one stack in the foreground, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.logging import RichHandler

from fairmarket.cli.demo import Demo
from fairmarket.cli.errors import StackError
from fairmarket.cli.marketplaces import (
    MarketplaceSettingsError,
    Plan,
    plan,
    read_file,
    stack_settings,
)
from fairmarket.cli.stack import STACK_PORTS, Stack, StackConfig
from fairmarket.cli.stack_config import SANDBOX_SOURCES
from fairmarket.cli.users import demo_sign_in

Port = Annotated[int, typer.Option(min=1, max=65535)]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM and SIGHUP stop the stack the same clean way Ctrl-C does."""
    raise KeyboardInterrupt


def _setup_logging(console: Console, level: str) -> None:
    handler = RichHandler(console=console, show_path=False, markup=False, log_time_format="[%X]")
    logger = logging.getLogger("fairmarket.stack")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


def print_summary(stack: Stack, console: Console) -> None:
    root = stack.data.root
    console.print(f"[bold green]fairmarket is up[/] — data in {root}, logs in {stack.data.logs}")
    notes = {
        "catalog": "API docs at /docs",
        "sandbox": "sandbox marketplaces (eBay, Discogs, TCGplayer, stores)",
    }
    for name, url in stack.urls.items():
        console.print(f"  {name:<10} {url:<26} {notes.get(name, '')}".rstrip())
    broker = "embedded Tansu, in memory" if stack.config.kafka_bootstrap is None else "external"
    console.print(f"  {'broker':<10} {stack.kafka_bootstrap:<26} {broker}")
    url = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", stack.database_url)  # no password shown
    console.print(f"  {'postgres':<10} {url}", highlight=False, soft_wrap=True)
    if stack.resend.events:
        waiting = f", {stack.resend_waiting} still waiting" if stack.resend_waiting else ""
        console.print(
            f"  recovered: {stack.resend.summary()} (those sent in the "
            f"{stack.config.resend_minutes:g} min before the last stop; the fresh broker "
            f"had none of them{waiting})"
        )
    console.print(f"admin token (also in {stack.data.token_path}):")
    console.print(stack.admin_token, soft_wrap=True, highlight=False)


def print_console(stack: Stack, console: Console) -> str:
    """The console's address and a sign-in for the demo's admin (a new password each run)."""
    password = asyncio.run(demo_sign_in(stack.database_url))
    line = (
        f"console: {stack.urls['catalog']}/console — sign in as admin@demo.local "
        f"with password {password}"
    )
    console.print(line, soft_wrap=True, highlight=False)
    return line


def serve(
    config: StackConfig,
    *,
    demo: bool = False,
    exit_after_demo: bool = False,
    demo_timeout: float = 180.0,
    console: Console | None = None,
    marketplaces: Plan | None = None,
) -> int:
    """Run the stack in the foreground; the exit status (for tests and the command)."""
    console = console or Console()
    _setup_logging(Console(stderr=True), "INFO")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    stack = Stack(config)
    ready = False
    try:
        stack.start()
        ready = True
        print_summary(stack, console)
        if marketplaces is not None and (problem := use_marketplaces(stack, marketplaces, console)):
            console.print(f"[red]fairmarket up failed:[/] {problem}", highlight=False)
            return 1
        if demo:
            sign_in = print_console(stack, console)
            with httpx.Client(timeout=10, trust_env=False) as client:
                sources = SANDBOX_SOURCES if config.sandbox else ()
                if marketplaces is not None:
                    sources = tuple(marketplaces.demo_sources(SANDBOX_SOURCES))
                result = Demo(client, stack.urls, stack.admin_token, sources).run(
                    console,
                    demo_timeout,
                    failures=lambda: stack.supervisor.failures,  # type: ignore[union-attr]
                )
            console.print(sign_in, soft_wrap=True, highlight=False)
            if not result.complete:
                console.print(f"[red]{result.message}[/]; logs in {stack.data.logs}")
                if exit_after_demo:
                    return 1
            elif exit_after_demo:
                return 0
        console.print("Ctrl-C stops everything.")
        supervisor = stack.supervisor
        assert supervisor is not None
        while not supervisor.gave_up.wait(0.5):
            pass
        console.print(f"[red]{'; '.join(supervisor.failures.values())}[/]; stopping")
        return 1
    except StackError as exc:
        console.print(f"[red]fairmarket up failed:[/] {exc}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 0 if ready else 130
    finally:
        _stop(stack, console, quiet=not ready)


def use_marketplaces(stack: Stack, marketplaces: Plan, console: Console) -> str | None:
    """Say which marketplace is the shop's and which the sandbox's, and register the sources
    the shop's own need; the problem, or None."""
    console.print("marketplaces:")
    for line in marketplaces.describe():
        console.print(f"  {line}", highlight=False)
    with httpx.Client(timeout=10, trust_env=False) as client:
        demo = Demo(client, stack.urls, stack.admin_token, marketplaces.sources())
        return demo.register_sources()


def _stop(stack: Stack, console: Console, *, quiet: bool) -> None:
    """Stop in order; a second Ctrl-C skips the grace period instead of leaving orphans."""

    def hurry(signum: int, frame: FrameType | None) -> None:
        stack.hurry.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, hurry)
    if not quiet:
        console.print("stopping… (Ctrl-C again to stop at once)")
    stack.stop()
    if not quiet:
        console.print("stopped")


def up(
    demo: Annotated[
        bool, typer.Option("--demo", help="take in four items and show their valuations")
    ] = False,
    exit_after_demo: Annotated[
        bool, typer.Option("--exit-after-demo", help="stop once the demo is shown (implies --demo)")
    ] = False,
    data_dir: Annotated[
        Path,
        typer.Option(envvar="FAIRMARKET_DATA_DIR", help="database, secret, token and logs"),
    ] = Path(".fairmarket"),
    catalog_port: Port = STACK_PORTS["catalog"],
    intake_port: Port = STACK_PORTS["intake"],
    collector_port: Port = STACK_PORTS["collector"],
    valuation_port: Port = STACK_PORTS["valuation"],
    sandbox_port: Port = STACK_PORTS["sandbox"],
    broker_port: Port = STACK_PORTS["broker"],
    database_url: Annotated[
        str | None, typer.Option(help="use this PostgreSQL instead of the embedded one")
    ] = None,
    kafka_bootstrap: Annotated[
        str | None, typer.Option(help="use this Kafka (host:port) instead of the embedded broker")
    ] = None,
    resend_minutes: Annotated[
        float,
        typer.Option(
            min=0,
            envvar="FAIRMARKET_RESEND_MINUTES",
            help="re-send the events sent this long before the last stop to the fresh "
            "embedded broker (0: none)",
        ),
    ] = 5.0,
    ready_timeout: Annotated[float, typer.Option(min=1)] = 120.0,
    demo_timeout: Annotated[float, typer.Option(min=1)] = 180.0,
    log_level: Annotated[str, typer.Option(help="the services' log level")] = "INFO",
    marketplaces_file: Annotated[
        Path | None,
        typer.Option(
            "--marketplaces",
            help="FAIRMARKET_* marketplace settings (KEY=VALUE lines) over the environment's",
        ),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option(help="serve the marketplaces without settings from the sandbox"),
    ] = True,
) -> None:
    """Start the all-in-one stack: PostgreSQL, broker, sandbox marketplace and the four services."""
    ports = {
        "catalog": catalog_port,
        "intake": intake_port,
        "collector": collector_port,
        "valuation": valuation_port,
        "sandbox": sandbox_port,
        "broker": broker_port,
    }
    try:
        chosen = plan(
            os.environ, read_file(marketplaces_file) if marketplaces_file else {}, sandbox=sandbox
        )
    except MarketplaceSettingsError as exc:
        typer.echo(f"fairmarket up failed: {exc}", err=True)
        raise typer.Exit(2) from exc
    config = StackConfig(
        **stack_settings(chosen, sandbox=sandbox),
        data_dir=data_dir,
        ports=ports,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        resend_minutes=resend_minutes,
        ready_timeout=ready_timeout,
        log_level=log_level.upper(),
    )
    code = serve(
        config,
        demo=demo or exit_after_demo,
        exit_after_demo=exit_after_demo,
        demo_timeout=demo_timeout,
        marketplaces=chosen,
    )
    sys.stdout.flush()
    raise typer.Exit(code)
