"""The process supervisor, with stand-in children (no database, no broker)."""

from __future__ import annotations

import re
from pathlib import Path

import psutil
import pytest
from cli_support import SpecFactory, gone

from fairmarket.cli.errors import NotReady
from fairmarket.cli.supervisor import Event, RestartPolicy, Supervisor


def kinds(events: list[Event], name: str) -> list[str]:
    return [e.kind for e in events if e.name == name]


def test_crash_is_reported_and_restarted_with_growing_backoff(
    supervisor: Supervisor, make_spec: SpecFactory, tmp_path: Path
) -> None:
    state = tmp_path / "runs"
    spec = make_spec("flaky", "--crash-times", "2", "--state", str(state), "--exit-code", "3")
    supervisor.add(spec)
    supervisor.start("flaky")

    assert supervisor.wait_for(lambda ev: kinds(ev, "flaky").count("started") == 3, timeout=20)
    supervisor.wait_ready(["flaky"], timeout=20)

    crashes = [e for e in supervisor.events if e.kind == "crashed"]
    assert [e.exit_code for e in crashes] == [3, 3]
    assert "flaky crashed (exit code 3)" in crashes[0].message
    assert "crashing on purpose" in crashes[0].message  # the end of its log is shown
    delays = [
        float(re.search(r"in ([\d.]+)s", e.message).group(1))  # type: ignore[union-attr]
        for e in supervisor.events
        if e.kind == "restarting"
    ]
    assert delays == [0.1, 0.2]
    assert supervisor.restarts("flaky") == 2
    assert supervisor.failures == {}


def test_gives_up_after_quick_crashes_in_a_row(
    supervisor: Supervisor, make_spec: SpecFactory, tmp_path: Path
) -> None:
    state = tmp_path / "runs"
    supervisor.add(make_spec("doomed", "--crash-times", "99", "--state", str(state)))
    supervisor.start("doomed")

    assert supervisor.gave_up.wait(20)
    assert "gave up on doomed: it crashed 3 times in a row" in supervisor.failures["doomed"]
    assert kinds(supervisor.events, "doomed").count("started") == 3
    with pytest.raises(NotReady) as err:
        supervisor.wait_ready(["doomed"], timeout=5)
    assert err.value.name == "doomed"


def test_readiness_timeout_names_the_service_that_is_not_ready(
    supervisor: Supervisor, make_spec: SpecFactory
) -> None:
    supervisor.add(make_spec("good"))
    supervisor.add(make_spec("stuck", "--never-ready"))
    supervisor.start("good", "stuck")

    with pytest.raises(NotReady) as err:
        supervisor.wait_ready(["good", "stuck"], timeout=2)
    assert err.value.name == "stuck"
    assert "stuck is not ready after 2s" in str(err.value)
    assert "503 never ready" in str(err.value)
    supervisor.wait_ready(["good"], timeout=1)


def test_stop_leaves_no_process_behind(
    supervisor: Supervisor, make_spec: SpecFactory, tmp_path: Path
) -> None:
    grandchild = tmp_path / "grandchild.pid"
    supervisor.add(make_spec("plain"))
    supervisor.add(make_spec("stubborn", "--ignore-term"))
    supervisor.add(make_spec("parent", "--grandchild", str(grandchild)))
    names = ["plain", "stubborn", "parent"]
    supervisor.start(*names)
    supervisor.wait_ready(names, timeout=20)
    pids = [supervisor.process(n).pid for n in names] + [int(grandchild.read_text())]
    assert all(psutil.pid_exists(p) for p in pids)

    supervisor.stop(*names, grace=1)

    assert gone(pids)  # type: ignore[arg-type]
    assert supervisor.process("stubborn").returncode == -9  # SIGKILL after the grace period
    assert supervisor.process("plain").returncode == -15
    assert not any(e.kind == "crashed" for e in supervisor.events)  # a stop is not a crash


def test_kill_then_restart_by_hand_and_kill_healed_by_supervisor(
    supervisor: Supervisor, make_spec: SpecFactory
) -> None:
    supervisor.add(make_spec("svc", policy=RestartPolicy(initial_backoff=0.05)))
    supervisor.start("svc")
    supervisor.wait_ready(["svc"], timeout=20)

    first = supervisor.process("svc").pid
    supervisor.kill("svc")
    assert not supervisor.process("svc").running
    supervisor.restart("svc")
    supervisor.wait_ready(["svc"], timeout=20)
    assert supervisor.process("svc").pid != first
    assert not any(e.kind == "crashed" for e in supervisor.events)

    supervisor.kill("svc", restart=True)
    assert supervisor.wait_for(lambda ev: kinds(ev, "svc")[-2:] == ["restarting", "started"], 10)
    crash = next(e for e in supervisor.events if e.kind == "crashed")
    assert "killed by SIGKILL" in crash.message
    supervisor.wait_ready(["svc"], timeout=20)
