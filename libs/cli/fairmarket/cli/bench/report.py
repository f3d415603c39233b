"""The machine a benchmark ran on, and its figures as a table or one JSON object."""

from __future__ import annotations

import json
import os
import platform
from importlib.metadata import version
from typing import Any

import typer
from rich.console import Console
from rich.table import Table


def machine() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": version("numpy"),
        "aiokafka": version("aiokafka"),
    }


def emit(figures: dict[str, Any], settings: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({**figures, "settings": settings, "machine": machine()}))
        return
    console = Console()
    table = Table(title="fairmarket bench")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else str(value))
    console.print(table)
    console.print("settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    console.print("machine: " + ", ".join(f"{k}={v}" for k, v in machine().items()))
