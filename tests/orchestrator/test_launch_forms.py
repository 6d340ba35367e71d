"""The other ways to launch the real Claude Code CLI (against the fake Messages API): a worktree per task, the seed's
command forms, the Python API a web layer calls, and hooks posted to a URL given on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from run_launcher import Launcher, by_id, tasks_json

from ccdeck.errors import UsageError
from ccdeck.orchestrator import control
from ccdeck.store import run_queries
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from fakeapi import DEFAULT_MODEL, ClaudeSandbox, FakeApi
from fakeapi.scripts import WRITTEN_CONTENT

pytestmark = [pytest.mark.cli, pytest.mark.slow]


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
            assert run_queries.runs_changed_since(SqlaReader(conn), 0) == [run_id]
            assert run_queries.runs_changed_since(SqlaReader(conn), time.time() + 60) == []

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
