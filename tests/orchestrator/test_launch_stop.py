"""Stopping runs of the real Claude Code CLI (`ccdeck` as a child process, the fake Messages API): from a second
process, after the supervisor was killed, and by SIGTERM to the supervisor."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from run_launcher import Launcher, by_id, none_alive, pids_of, tasks_json

from fakeapi import FakeApi
from fakeapi.cli import group_alive

pytestmark = [pytest.mark.cli, pytest.mark.slow]


def test_stop_one_then_all_from_another_process(launcher: Launcher, fake_api: FakeApi) -> None:
    tasks = [{"id": f"g{i}", "prompt": "[[fake:gate:never]]"} for i in range(5)]

    started = time.monotonic()
    detached = launcher.run("run", tasks_json(*tasks), "--max-parallel", "3", "--grace", "3", "--detach")
    assert detached.returncode == 0, detached.stderr
    assert time.monotonic() - started < 15
    run_id = detached.stdout.strip()
    fake_api.wait_in_flight(3, timeout=30)
    run = launcher.run_status(run_id)
    assert run["detached"] is True and run["status"] == "running"
    assert [t["status"] for t in run["tasks"]] == ["running"] * 3 + ["queued"] * 2
    first_pids = pids_of(run)
    assert len(first_pids) == 3 and all(group_alive(pid) for pid in first_pids)

    stopped = launcher.run("stop", f"{run_id}/g1")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip() == f"{run_id}/g1: stopped"
    run = launcher.run_status(run_id)
    g1 = by_id(run)["g1"]
    assert (g1["status"], g1["error"]) == ("stopped", "stopped on request")
    assert none_alive([g1["attempts"][0]["pid"]])
    # Its slot went to the next queued task; the others run on.
    fake_api.wait_in_flight(3, timeout=30)
    assert [t["status"] for t in launcher.run_status(run_id)["tasks"]] == [
        "running", "stopped", "running", "running", "queued"
    ]  # fmt: skip

    stop_all = launcher.json("stop-all")
    assert sorted((t["id"], t["status"]) for t in stop_all["tasks"]) == [
        ("g0", "stopped"), ("g2", "stopped"), ("g3", "stopped"), ("g4", "stopped")
    ]  # fmt: skip
    run = launcher.wait_run(run_id)
    assert run["status"] == "stopped"
    assert by_id(run)["g4"]["sessionId"] is None  # queued: never started
    assert none_alive(pids_of(run))
    deadline = time.monotonic() + 10
    while run["supervisorPid"] and group_alive(run["supervisorPid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_alive(run["supervisorPid"])
    assert launcher.run("stop-all").stdout.strip() == "nothing to stop"


def test_killed_supervisor_is_noticed_and_its_task_still_stoppable(launcher: Launcher, fake_api: FakeApi) -> None:
    tasks = [{"id": "held", "prompt": "[[fake:gate:never]]"}, {"id": "waiting", "prompt": "x"}]
    detached = launcher.run("run", tasks_json(*tasks), "--max-parallel", "1", "--grace", "2", "--detach")
    assert detached.returncode == 0, detached.stderr
    run_id = detached.stdout.strip()
    fake_api.wait_in_flight(1, timeout=30)
    run = launcher.run_status(run_id)
    os.kill(run["supervisorPid"], signal.SIGKILL)
    assert none_alive([run["supervisorPid"]])

    run = launcher.run_status(run_id)
    assert run["status"] == "interrupted"
    held, waiting = run["tasks"]
    assert held["status"] == "running" and group_alive(held["pid"])  # its own process group outlived the supervisor
    assert (waiting["status"], waiting["error"]) == ("failed", "the supervisor ended before this task did")

    stopped = launcher.run("stop", "held")
    assert stopped.stdout.strip() == f"{run_id}/held: stopped", stopped.stderr
    assert none_alive([held["pid"]])
    assert by_id(launcher.run_status(run_id))["held"]["status"] == "stopped"


def test_sigterm_to_the_supervisor_stops_its_tasks(launcher: Launcher, fake_api: FakeApi) -> None:
    tasks = [{"id": f"s{i}", "prompt": "[[fake:gate:never]]"} for i in range(2)] + [{"id": "later", "prompt": "x"}]
    proc = launcher.popen("run", tasks_json(*tasks), "--max-parallel", "2", "--grace", "3", "--json")
    fake_api.wait_in_flight(2, timeout=30)
    (run,) = launcher.json("status")["runs"]
    pids = pids_of(run)
    assert len(pids) == 2

    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)

    assert proc.returncode == 128 + signal.SIGTERM, stderr
    final = json.loads(stdout)["run"]
    assert final["status"] == "stopped"
    assert [(t["id"], t["status"], t["error"]) for t in final["tasks"]] == [
        ("s0", "stopped", "supervisor received SIGTERM"),
        ("s1", "stopped", "supervisor received SIGTERM"),
        ("later", "stopped", "supervisor received SIGTERM"),
    ]
    assert none_alive(pids)
    assert launcher.run_status(final["id"])["status"] == "stopped"
