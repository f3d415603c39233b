"""Where each service's app factory and migrations live, for the CLI to find them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVICES = ("intake", "catalog", "collector", "valuation")
DEFAULT_PORTS = {"catalog": 8000, "intake": 8001, "collector": 8002, "valuation": 8003}


@dataclass(frozen=True)
class ServiceSpec:
    name: str

    @property
    def package(self) -> str:
        return f"fairmarket.{self.name}"

    @property
    def migrations_dir(self) -> Path:
        module = importlib.import_module(self.package)
        return Path(module.__file__).parent / "migrations"  # type: ignore[arg-type]

    @property
    def schema(self) -> str:
        return importlib.import_module(f"{self.package}.db").SCHEMA

    def create_app(self) -> Any:
        return importlib.import_module(f"{self.package}.app").create_app()


def spec(name: str) -> ServiceSpec:
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return ServiceSpec(name)
