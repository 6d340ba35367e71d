"""`ccdeck run` and friends against the real Claude Code CLI and the fake Messages API.

Every case runs `ccdeck` as a child process with the real pinned CLI underneath: bounded parallelism, timeouts,
stops from a second process, budget and max-turns, retries after 429, permission denials, worktrees, SIGTERM to
the supervisor, the seed's command forms.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from run_launcher import Launcher, most_at_once, none_alive, pids_of, seconds_apart

from ccdeck.errors import UsageError
from ccdeck.orchestrator import control
from ccdeck.store.runs import runs_changed_since
from ccdeck.store.store import Store
from fakeapi import DEFAULT_MODEL, Call, ClaudeSandbox, Fail, FakeApi, Reply, Text
from fakeapi.cli import group_alive
from fakeapi.scripts import WRITTEN_CONTENT

pytestmark = [pytest.mark.cli, pytest.mark.slow]

TASK_CONTRACT = {"id", "status", "sessionId", "exitCode", "costUSD", "durationSeconds", "startedAt", "finishedAt",
                 "numTurns", "result", "permissionDenials"}  # fmt: skip
RUN_CONTRACT = {"id", "wallSeconds", "sumTaskSeconds", "speedup", "costUSD", "tasks"}


def tasks_json(*tasks: dict[str, Any]) -> str:
    return json.dumps(list(tasks))


def by_id(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in run["tasks"]}


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


def git(cwd: Path, *args: str) -> str:
    ident = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    return subprocess.run(["git", *ident, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_worktree_per_task_and_clean(launcher: Launcher, claude_sandbox: ClaudeSandbox) -> None:
    repo = claude_sandbox.cwd / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "--quiet", "-m", "first")
    tasks = [{"id": "a", "prompt": "[[fake:write_file:a.txt]]"}, {"id": "b", "prompt": "[[fake:write_file:b.txt]]"},
             {"id": "c", "prompt": "Nothing to change."}]  # fmt: skip

    done = launcher.run("run", tasks_json(*tasks), "--worktree", "--json", cwd=repo)

    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["run"]
    tasks_by_id = by_id(run)
    for name in ("a", "b"):
        tree = tasks_by_id[name]["worktree"]
        assert tree["branch"] == f"ccdeck/{run['id']}/{name}"
        assert (Path(tree["path"]) / f"{name}.txt").read_text() == WRITTEN_CONTENT
        assert tree["diffStat"]["files"] == [{"path": f"{name}.txt", "added": 1, "deleted": 0}]
        assert tasks_by_id[name]["filesChanged"] == [str(Path(tree["path"]) / f"{name}.txt")]
        assert tasks_by_id[name]["cwd"] == tree["path"]
    assert tasks_by_id["c"]["worktree"]["diffStat"]["filesChanged"] == 0
    assert not (repo / "a.txt").exists()  # the repository's own checkout is untouched
    branches = git(repo, "branch", "--list", "ccdeck/*", "--format=%(refname:short)").split()
    assert branches == [f"ccdeck/{run['id']}/{n}" for n in ("a", "b", "c")]
    assert "branch ccdeck/" in launcher.run("status", run["id"]).stdout

    cleaned = launcher.json("clean")
    assert sorted(k["task"] for k in cleaned["keptWorktrees"]) == ["a", "b"]
    assert [r["task"] for r in cleaned["removedWorktrees"]] == ["c"]
    assert [t["id"] for t in launcher.run_status(run["id"])["tasks"]] == ["a", "b"]
    assert git(repo, "branch", "--list", "ccdeck/*", "--format=%(refname:short)").split() == branches[:2]

    forced = launcher.json("clean", "--force")
    assert forced["removedRuns"] == [run["id"]]
    assert git(repo, "branch", "--list", "ccdeck/*").strip() == ""
    assert not Path(tasks_by_id["a"]["worktree"]["path"]).exists()
    assert not Path(run["logDir"]).exists()
    assert launcher.json("status")["runs"] == []


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


def test_seed_forms_run_multi_and_start(launcher: Launcher, fake_api: FakeApi) -> None:
    tasks = tasks_json({"id": "one", "prompt": "Say ok."}, {"id": "two", "prompt": "Say ok."})
    done = launcher.run("run-multi", tasks, DEFAULT_MODEL, "0.5", "2", "--json")
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["run"]
    assert [(t["status"], t["model"]) for t in run["tasks"]] == [("succeeded", DEFAULT_MODEL)] * 2
    assert (run["options"]["budget"], run["options"]["maxParallel"]) == (0.5, 2)
    assert {c.model for c in fake_api.calls()} == {DEFAULT_MODEL}

    started = launcher.run("start", "hello", "Say hello. [[fake:text:hello there]]")
    assert started.returncode == 0, started.stderr
    run_id, task_id = started.stdout.strip().split("/")
    assert task_id == "hello"
    finished = launcher.wait_run(run_id)
    assert [(t["id"], t["status"], t["result"]) for t in finished["tasks"]] == [("hello", "succeeded", "hello there")]
    assert launcher.run("result", "hello").stdout.rstrip().endswith("hello there")


def test_python_api_submit_status_log_and_stop(
    claude_bin: Path, claude_sandbox: ClaudeSandbox, fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a web layer does: a request body in, a background run out, then status, logs and a stop.
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in claude_sandbox.env(fake_api.base_url).items():
        monkeypatch.setenv(name, value)
    tasks = [{"id": "w", "prompt": "[[fake:write_file:api.txt]]"}, {"id": "held", "prompt": "[[fake:gate:x]]"}]
    body = {"tasks": tasks, "options": {"maxParallel": 2, "timeout": 60, "retries": 0}}
    with Store.open(tmp_path / "api.db") as store:
        with pytest.raises(UsageError, match="unknown key 'maxparallel'"):
            control.submit(store, body["tasks"], {"maxparallel": 2}, claude_bin=str(claude_bin))
        run_id = control.submit(store, body["tasks"], body["options"], claude_bin=str(claude_bin),
                                base_cwd=claude_sandbox.cwd)  # fmt: skip
        fake_api.wait_in_flight(1, timeout=30)
        deadline = time.monotonic() + 30
        while control.status(store, run_id)[0]["counts"].get("succeeded") != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        (run,) = control.status(store, active_only=True)
        assert run["id"] == run_id and run["options"]["maxParallel"] == 2 and run["detached"] is True
        assert (claude_sandbox.cwd / "api.txt").read_text() == WRITTEN_CONTENT
        events = control.task_log(store, run_id, "w", "events", tail=1)
        assert [json.loads(line)["type"] for line in events] == ["result"]
        assert control.task_log(store, run_id, "w", "stderr") == []
        with store.read() as conn:
            assert runs_changed_since(conn, 0) == [run_id]
            assert runs_changed_since(conn, time.time() + 60) == []

        stopped = control.stop(store, [f"{run_id}/held"], wait=False)
        assert [(t["id"], t["stopRequested"]) for t in stopped] == [("held", True)]
        run = launcher_wait(store, run_id)
        assert [(t["id"], t["status"]) for t in run["tasks"]] == [("w", "succeeded"), ("held", "stopped")]
        assert run["status"] == "finished"


def launcher_wait(store: Store, run_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        (run,) = control.status(store, run_id)
        if run["status"] in ("finished", "stopped", "interrupted") or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_hooks_url_from_the_terminal(launcher: Launcher) -> None:
    # `ccdeck run --hooks-url URL`: each task's CLI gets the hooks on its command line and posts its events there.
    posted: list[dict[str, Any]] = []

    class Hooks(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/hooks"
        done = launcher.run("run", tasks_json({"id": "hooked", "prompt": "[[fake:text:hi]]"}), "--hooks-url", url,
                            "--json")  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    (task,) = json.loads(done.stdout)["run"]["tasks"]
    events = [p["hook_event_name"] for p in posted if p.get("session_id") == task["sessionId"]]
    assert events[0] == "UserPromptSubmit" and events[-2:] == ["Stop", "SessionEnd"], events
    assert url not in json.dumps(json.loads(done.stdout)["run"]["options"])  # not among the options shown
