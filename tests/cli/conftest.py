"""Stand-in children for the supervisor and stack tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import QUICK, SpecFactory, standin_argv

from fairmarket.cli.ports import free_port
from fairmarket.cli.probes import HttpProbe
from fairmarket.cli.supervisor import ChildSpec, RestartPolicy, Supervisor


@pytest.fixture
def make_spec(tmp_path: Path) -> SpecFactory:
    """A stand-in service on a free port, probed at /readyz, logging to tmp_path/<name>.log."""

    def make(name: str, *flags: str, policy: RestartPolicy = QUICK) -> ChildSpec:
        port = free_port()
        env = {**os.environ, "FAIRMARKET_HOST": "127.0.0.1", "FAIRMARKET_PORT": str(port)}
        return ChildSpec(
            name,
            standin_argv("serve", *flags),
            tmp_path / f"{name}.log",
            env=env,
            probe=HttpProbe(f"http://127.0.0.1:{port}/readyz"),
            policy=policy,
        )

    return make


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    sup = Supervisor()
    yield sup
    sup.close(grace=1)
