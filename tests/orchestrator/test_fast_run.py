"""`run --detach` and `status` answer before the command line's imports: the same options as the Typer command
(one declaration), the same run recorded, the same errors, and the forms they are not sure of handed back; and
the launch commands import only what they use."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from ccdeck.cli import command_tree
from ccdeck.orchestrator import fast_run
from ccdeck.orchestrator.run_flags import FLAGS, RUN_FLAGS
from ccdeck.store.store import Store
from core_fixtures import CCDECK, PYTHON

STAND_IN = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "2.1.330 (Claude Code)"; exit 0; fi
echo "stand-in claude: no model here" >&2
exit 1
"""
HEAVY = ("typer", "rich", "sqlalchemy", "alembic", "uvicorn", "fastapi", "ccdeck.ingest", "ccdeck.orchestrator.control")


def test_run_options_are_declared_once() -> None:
    """The Typer command's options are the declared flags: same names, bounds, help and order."""
    command = command_tree()
    run = command.commands["run"]  # type: ignore[attr-defined]
    options = [p for p in run.params if p.param_type_name == "option"]
    assert [p.opts[0] for p in options] == list(RUN_FLAGS)
    for param in options:
        flag = FLAGS[param.opts[0]]
        assert (param.name, param.help) == (flag.param, flag.help)
        assert (param.min, param.show_default) == (flag.minimum, flag.show_default)
        assert param.is_flag == (flag.kind is bool)


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        (["t.json", "--detach"], ("t.json", {"detach": True})),
        (["--detach", "--max-parallel", "3", "t.json", "--budget=0.5", "--model", "opus"],
         ("t.json", {"detach": True, "max_parallel": 3, "budget": 0.5, "model": "opus"})),
        (["t.json", "--detach", "--worktree", "--stagger", "0", "--db", "x.db"],
         ("t.json", {"detach": True, "worktree": True, "stagger": 0.0, "db": "x.db"})),
    ],
)  # fmt: skip
def test_the_fast_form_is_parsed(args: list[str], parsed: tuple[str, dict[str, Any]]) -> None:
    assert fast_run.parse(args) == parsed


@pytest.mark.parametrize(
    "args",
    [
        ["t.json"],  # not detached
        ["t.json", "--detach", "--json"],
        ["t.json", "--detach", "--help"],
        ["t.json", "--detach", "--max-parallel", "0"],  # below the bound: Typer's own message
        ["t.json", "--detach", "--max-parallel", "x"],
        ["t.json", "--detach", "--timeout", "nan"],
        ["t.json", "--detach", "--max-parallel"],
        ["t.json", "--detach", "--wide"],
        ["t.json", "u.json", "--detach"],
        ["t.json", "--detach", "--worktree=yes"],
        ["--detach"],
    ],
)
def test_other_forms_go_to_the_full_command(args: list[str]) -> None:
    assert fast_run.parse(args) is None
    assert fast_run.main(args) is None


@pytest.fixture
def env(child_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    claude = tmp_path / "claude"
    claude.write_text(STAND_IN)
    claude.chmod(0o755)
    (tmp_path / "tasks.json").write_text(json.dumps([{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y"}]))
    Store.open(tmp_path / "data" / "ccdeck.db").close()  # at the newest schema: what the fast path writes to
    return {**child_env, "CCDECK_DB": str(tmp_path / "data" / "ccdeck.db"), "CCDECK_CLAUDE_BIN": str(claude)}


def _ccdeck(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CCDECK), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)  # fmt: skip


def _ended(env: dict[str, str], cwd: Path, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        run: dict[str, Any] = json.loads(_ccdeck(env, cwd, "status", run_id, "--json").stdout)["runs"][0]
        if run["status"] in ("finished", "stopped", "interrupted") or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def _same_parts(run: dict[str, Any]) -> dict[str, Any]:
    tasks = [{k: t[k] for k in ("id", "status", "prompt", "cwd", "configDir", "model", "attempt")}
             for t in run["tasks"]]  # fmt: skip
    return {"status": run["status"], "options": run["options"], "claudeBin": run["claudeBin"],
            "claudeVersion": run["claudeVersion"], "detached": run["detached"], "tasks": tasks}  # fmt: skip


def test_a_detached_run_is_the_same_run_either_way(env: dict[str, str], tmp_path: Path) -> None:
    flags = ["--detach", "--max-parallel", "1", "--stagger", "0", "--retries", "0", "--timeout=30"]
    fast = _ccdeck(env, tmp_path, "run", "tasks.json", *flags)
    assert fast.returncode == 0, fast.stderr
    fast_id = fast.stdout.strip()
    full = _ccdeck(env, tmp_path, "run", "tasks.json", *flags, "--json")  # --json: the full command's path
    assert full.returncode == 0, full.stderr
    full_id = json.loads(full.stdout)["run"]["id"]
    assert fast_id != full_id
    first, second = _ended(env, tmp_path, fast_id), _ended(env, tmp_path, full_id)
    assert first["supervisorPid"] is not None and first["status"] == "finished"
    assert _same_parts(first) == _same_parts(second)
    log = Path(first["logDir"]) / "supervisor.log"
    assert f"run {fast_id} finished" in log.read_text()


def test_the_fast_path_says_the_same_errors(env: dict[str, str], tmp_path: Path) -> None:
    for args, message in (
        (["missing.json"], "ccdeck: error: tasks: no such file missing.json"),
        (["tasks.json", "--claude-bin", "/nope/claude"], "ccdeck: error: the claude binary /nope/claude does not"),
        (["tasks.json", "--permission-mode", "yolo"], "ccdeck: error: --permission-mode must be one of"),
        (["tasks.json", "--max-parallel", "0"], "ccdeck: error: Invalid value for '--max-parallel'"),
    ):
        done = _ccdeck(env, tmp_path, "run", *args, "--detach")
        assert done.returncode == 2 and done.stdout == "", done
        assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr


def _modules_after(env: dict[str, str], cwd: Path, *args: str) -> list[str]:
    """The heavy modules `ccdeck ARGS` imported (run in-process in a child Python)."""
    code = ("import sys; from ccdeck.entry import main; code = main(sys.argv[1:]); "
            f"print(sorted({{m for m in sys.modules for h in {HEAVY!r} if m == h or m.startswith(h + '.')}}), "
            "file=sys.stderr); sys.exit(code)")  # fmt: skip
    done = subprocess.run([str(PYTHON), "-c", code, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: list[str] = eval(done.stderr.strip().splitlines()[-1])  # our own child's list
    return found


def test_fast_commands_import_only_what_they_need(env: dict[str, str], tmp_path: Path) -> None:
    run_id = _ccdeck(env, tmp_path, "run", "tasks.json", "--detach").stdout.strip()
    assert _modules_after(env, tmp_path, "run", "tasks.json", "--detach") == []
    assert _modules_after(env, tmp_path, "status", run_id, "--json") == []
    shown = _modules_after(env, tmp_path, "status", run_id)
    assert not [m for m in shown if not m.startswith("rich")], shown
    _ended(env, tmp_path, run_id)


def test_the_launch_commands_module_imports_nothing_heavy() -> None:
    """Registering `run`, `status`... costs the other commands Typer only: no store, orchestrator or Rich."""
    code = (
        "import sys, ccdeck.cli_runs; "
        f"print(sorted({{m for m in sys.modules for h in {HEAVY!r} if m == h or m.startswith(h + '.')}}))"
    )
    done = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert [m for m in eval(done.stdout) if not m.startswith("typer")] == []  # our own child's list
