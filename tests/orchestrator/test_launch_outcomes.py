"""`ccdeck run` against the real Claude Code CLI and the fake Messages API: how each task ends.

Every case runs `ccdeck` as a child process with the real pinned CLI underneath: bounded parallelism, timeouts, bad
task files, budget and max-turns, retries after 429, permission denials.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading

import pytest
from run_launcher import Launcher, by_id, most_at_once, seconds_apart, tasks_json

from fakeapi import DEFAULT_MODEL, Call, ClaudeSandbox, Fail, FakeApi, Reply, Text
from fakeapi.cli import group_alive
from fakeapi.scripts import WRITTEN_CONTENT

pytestmark = [pytest.mark.cli, pytest.mark.slow]


TASK_CONTRACT = {"id", "status", "sessionId", "exitCode", "costUSD", "durationSeconds", "startedAt", "finishedAt",
                 "numTurns", "result", "permissionDenials"}  # fmt: skip
RUN_CONTRACT = {"id", "wallSeconds", "sumTaskSeconds", "speedup", "costUSD", "tasks"}


def test_six_tasks_two_at_a_time(launcher: Launcher, fake_api: FakeApi, claude_sandbox: ClaudeSandbox) -> None:
    tasks = [{"id": f"t{i}", "prompt": f"Write it. [[fake:write_file:out/t{i}.txt]]"} for i in range(6)]

    done = launcher.run("run", tasks_json(*tasks), "--max-parallel", "2", "--json")

    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["run"]
    assert run.keys() >= RUN_CONTRACT
    assert run["status"] == "finished"
    assert [(t["id"], t["status"]) for t in run["tasks"]] == [(f"t{i}", "succeeded") for i in range(6)]
    for task in run["tasks"]:
        written = claude_sandbox.cwd / "out" / f"{task['id']}.txt"
        assert task.keys() >= TASK_CONTRACT
        assert (task["exitCode"], task["numTurns"], task["permissionDenials"]) == (0, 2, [])
        assert task["costUSD"] > 0 and task["costEstimated"] is False
        assert written.read_text() == WRITTEN_CONTENT
        assert task["filesChanged"] == [str(written)]
        assert claude_sandbox.transcript(task["sessionId"]).is_file()
    # Never more than two at once: neither in the API's view nor in the tasks' own start and end times.
    assert fake_api.max_in_flight <= 2
    assert most_at_once(run["tasks"]) == 2
    assert sorted(fake_api.session_ids()) == sorted(t["sessionId"] for t in run["tasks"])
    assert run["costUSD"] == pytest.approx(sum(t["costUSD"] for t in run["tasks"]))
    assert run["sumTaskSeconds"] == pytest.approx(sum(t["durationSeconds"] for t in run["tasks"]), abs=0.01)
    assert run["speedup"] == pytest.approx(run["sumTaskSeconds"] / run["wallSeconds"], abs=0.01)
    assert run["speedup"] > 1.2
    assert run["successRate"] == 1.0
    assert run["cacheSavingUSD"] is not None and run["cacheSavingUSD"] > 0
    assert run["costByModel"] == {model: pytest.approx(run["costUSD"]) for model in run["costByModel"]}
    # Each task's saving was priced when its row was written: reading the run needs no price table.
    with sqlite3.connect(launcher.db) as conn:
        savings = [json.loads(text) for (text,) in conn.execute("SELECT cache_saving FROM run_tasks")]
    assert sum(s["usd"] for s in savings) == pytest.approx(run["cacheSavingUSD"])

    # Linked to the monitored session: files changed come from the transcript Claude Code wrote.
    result = launcher.json("result", f"{run['id']}/t3")["task"]
    assert result["session"]["ingested"] is True
    assert result["session"]["filesChanged"] == [str(claude_sandbox.cwd / "out" / "t3.txt")]
    shown = launcher.run("result", "t3")
    assert shown.returncode == 0 and "Done: the tool ran successfully." in shown.stdout
    logs = launcher.run("logs", "t3")
    assert f"tool: Write: {claude_sandbox.cwd / 'out' / 't3.txt'}" in logs.stdout
    raw = launcher.run("logs", "t3", "--raw").stdout.splitlines()
    assert json.loads(raw[0])["subtype"] == "init" and json.loads(raw[-1])["type"] == "result"


def test_stalled_task_times_out_and_leaves_nothing(launcher: Launcher, fake_api: FakeApi) -> None:
    # 8 s: the real CLI must reach the fake API before the timeout, which takes seconds on a loaded machine.
    tasks = [{"id": "stall", "prompt": "[[fake:stall]]", "timeout_s": 8},
             *({"id": f"quick{i}", "prompt": "Say ok."} for i in range(3))]  # fmt: skip

    done = launcher.run("run", tasks_json(*tasks), "--max-parallel", "2", "--grace", "2", "--json")

    assert done.returncode == 1, done.stderr
    tasks_by_id = by_id(json.loads(done.stdout)["run"])
    stall = tasks_by_id["stall"]
    assert (stall["status"], stall["error"]) == ("timed_out", "timed out after 8 s")
    # The timer held while the others came and went: the one attempt lasted at least its timeout, and the task's
    # duration is what that attempt recorded, within the task's own start and finish (no upper bound: how long a
    # busy machine takes to stop a process is not the test's business).
    (attempt,) = stall["attempts"]
    assert stall["durationSeconds"] >= 8.0
    assert stall["durationSeconds"] == pytest.approx(attempt["seconds"], abs=0.001)
    assert seconds_apart(stall["startedAt"], stall["finishedAt"]) >= stall["durationSeconds"] - 0.002
    assert [tasks_by_id[f"quick{i}"]["status"] for i in range(3)] == ["succeeded"] * 3
    pid = attempt["pid"]
    assert not group_alive(pid)
    fake_api.wait_idle(timeout=5)
    (call,) = fake_api.calls(stall["sessionId"])
    assert (call.outcome, call.disconnected) == ("stall", True)


def test_bad_task_files_start_nothing(launcher: Launcher, claude_sandbox: ClaudeSandbox, fake_api: FakeApi) -> None:
    (claude_sandbox.cwd / "tasks.yaml").write_text("- id: a\n  prompt: x\n- id: a\n  prompt: y\n")
    (claude_sandbox.cwd / "tasks.toml").write_text('[[tasks]]\nid = "a"\npromt = "x"\n')
    cases = {
        "tasks.yaml": 'tasks.yaml: task 2: duplicate id "a"',
        "tasks.toml": "tasks.toml: task 1: unknown key 'promt'",
        '[{"id": "a", "prompt": "x"': "inline tasks: invalid JSON at line 1, column 27",
        "missing.json": "no such file missing.json",
    }
    for source, message in cases.items():
        done = launcher.run("run", source)
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert done.stderr.startswith("ccdeck: error: ") and message in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1
    assert launcher.json("status")["runs"] == []
    assert fake_api.requests() == []


def test_budget_and_max_turns_end_in_their_own_states(launcher: Launcher) -> None:
    tasks = [
        {"id": "budget", "prompt": "[[fake:expensive]]", "budget_usd": 0.01, "model": DEFAULT_MODEL},
        {"id": "turns", "prompt": "[[fake:loop]]", "max_turns": 2},
    ]
    done = launcher.run("run", tasks_json(*tasks), "--json")

    assert done.returncode == 1
    tasks_by_id = by_id(json.loads(done.stdout)["run"])
    budget, turns = tasks_by_id["budget"], tasks_by_id["turns"]
    assert (budget["status"], budget["terminalReason"]) == ("budget_exceeded", "budget_exhausted")
    assert budget["costUSD"] > 0.01
    assert list(budget["tokensByModel"]) == [DEFAULT_MODEL]  # the CLI keys cost by the requested --model
    assert (turns["status"], turns["error"]) == ("max_turns", "Reached maximum number of turns (2)")
    assert turns["exitCode"] == 1


def test_rate_limited_task_is_retried(launcher: Launcher, fake_api: FakeApi) -> None:
    counter, lock = itertools.count(), threading.Lock()

    def flaky(call: Call) -> Fail | Reply:
        with lock:
            n = next(counter)
        return Fail(429) if n < 2 else Reply((Text("ok after 429s"),), "end_turn")

    fake_api.add_script("flaky", flaky)
    # The CLI's own retries off, so each 429 ends an attempt and ccdeck's retries are what is tested.
    task = {"id": "r", "prompt": "[[fake:flaky]]", "env": {"CLAUDE_CODE_MAX_RETRIES": "0"}}
    done = launcher.run("run", tasks_json(task), "--retries", "2", "--retry-delay", "0.2", "--json")

    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["run"]["tasks"]
    assert (result["status"], result["result"], result["attempt"]) == ("succeeded", "ok after 429s", 3)
    assert [(a["status"], a["apiErrorStatus"]) for a in result["attempts"]] == [("failed", 429), ("failed", 429),
                                                                                ("succeeded", None)]  # fmt: skip
    sessions = [a["sessionId"] for a in result["attempts"]]
    assert len(set(sessions)) == 3 and sessions[-1] == result["sessionId"]
    assert [c.status for c in fake_api.calls()] == [429, 429, 200]

    # Out of retries: the last 429 is the task's outcome.
    exhausted = {**task, "id": "x", "prompt": "[[fake:error:429:9]]"}
    done = launcher.run("run", tasks_json(exhausted), "--retries", "1", "--retry-delay", "0.1", "--json")
    assert done.returncode == 1
    (failed,) = json.loads(done.stdout)["run"]["tasks"]
    assert (failed["status"], failed["apiErrorStatus"], failed["attempt"]) == ("failed", 429, 2)


def test_permission_denial_is_reported(launcher: Launcher, claude_sandbox: ClaudeSandbox) -> None:
    task = {"id": "deny", "prompt": "[[fake:bash:touch made_by_bash.txt]]", "permission_mode": "default"}
    done = launcher.run("run", tasks_json(task))

    assert done.returncode == 0, done.stderr
    assert "1 permission denial(s): Bash" in done.stdout
    assert not (claude_sandbox.cwd / "made_by_bash.txt").exists()
    found = launcher.json("result", "deny")["task"]
    assert [(d["tool_name"], d["tool_input"]["command"]) for d in found["permissionDenials"]] == [
        ("Bash", "touch made_by_bash.txt")
    ]
    shown = launcher.run("result", "deny").stdout
    assert "Denied" in shown and "Bash" in shown and "touch made_by_bash.txt" in shown


@pytest.mark.skipif(os.geteuid() != 0, reason="IS_SANDBOX matters only to root")
def test_bypass_permissions_as_root_runs_in_a_sandbox(launcher: Launcher) -> None:
    # The test's own environment has IS_SANDBOX=1 (the sandbox sets it as root): ccdeck passes it on only
    # to a task that asked for bypassPermissions.
    assert launcher.env["IS_SANDBOX"] == "1"
    probe = {"prompt": "[[fake:bash:printenv IS_SANDBOX]]", "allowed_tools": ["Bash(printenv:*)"]}
    tasks = [{"id": "bypass", "permission_mode": "bypassPermissions", **probe}, {"id": "plain", **probe}]
    done = launcher.run("run", tasks_json(*tasks), "--json")
    assert done.returncode == 0, done.stderr
    tasks_by_id = by_id(json.loads(done.stdout)["run"])
    assert tasks_by_id["bypass"]["result"] == "The command ran: 1"
    assert tasks_by_id["plain"]["result"] == "The command failed: Exit code 1"  # printenv: not set
