"""Task lists: every accepted form, the run's options applied, and every way a list is refused before a run
starts (one line, exit 2, nothing recorded)."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from ccdeck.config import Config
from ccdeck.errors import UsageError
from ccdeck.orchestrator import control
from ccdeck.orchestrator.spec import (
    RunOptions,
    TaskSpec,
    load_tasks,
    options_from_request,
    resolve_tasks,
)
from ccdeck.orchestrator.worktree import branch_problem
from core_fixtures import run_cli

Capsys = pytest.CaptureFixture[str]
OPTIONS = RunOptions(model="claude-sonnet-4-5", budget_usd=1.5, timeout_s=60, permission_mode="acceptEdits")


def load(source: str, base: Path, stdin: str | None = None, options: RunOptions = OPTIONS) -> list[TaskSpec]:
    return load_tasks(source, options, base, io.StringIO(stdin) if stdin is not None else None)


def test_json_file_with_defaults_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    tasks = [
        {"id": "a", "prompt": "one"},
        {"id": "b", "prompt": "two", "cwd": "sub", "model": "opus", "budget_usd": 0.2, "timeout_s": 5,
         "max_turns": 3, "permission_mode": "default", "allowed_tools": ["Read", "Bash(git diff:*)"],
         "worktree": True, "env": {"FOO": "bar"}},
    ]  # fmt: skip
    (tmp_path / "tasks.json").write_text(json.dumps(tasks))

    a, b = load(str(tmp_path / "tasks.json"), tmp_path)

    assert a == TaskSpec(id="a", prompt="one", cwd=str(tmp_path.resolve()), timeout_s=60.0,
                         permission_mode="acceptEdits", model="claude-sonnet-4-5", budget_usd=1.5)  # fmt: skip
    assert (b.cwd, b.model, b.budget_usd, b.timeout_s, b.max_turns) == (str(tmp_path / "sub"), "opus", 0.2, 5.0, 3)
    assert (b.permission_mode, b.allowed_tools, b.worktree, dict(b.env)) == (
        "default", ("Read", "Bash(git diff:*)"), True, {"FOO": "bar"}
    )  # fmt: skip
    assert TaskSpec.from_json(json.loads(json.dumps(b.as_json()))) == b


def test_yaml_toml_inline_and_stdin_say_the_same(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("- id: a\n  prompt: hello\n  max_turns: 2\n- {id: b, prompt: bye}\n")
    (tmp_path / "t.toml").write_text('[[tasks]]\nid = "a"\nprompt = "hello"\nmax_turns = 2\n\n'
                                     '[[tasks]]\nid = "b"\nprompt = "bye"\n')  # fmt: skip
    inline = '{"tasks": [{"id": "a", "prompt": "hello", "max_turns": 2}, {"id": "b", "prompt": "bye"}]}'
    (tmp_path / "noext").write_text(inline)

    forms = [
        load(str(tmp_path / "t.yaml"), tmp_path),
        load(str(tmp_path / "t.toml"), tmp_path),
        load(inline, tmp_path),
        load("-", tmp_path, stdin=inline),
        load("-", tmp_path, stdin=(tmp_path / "t.toml").read_text()),
        load("-", tmp_path, stdin=(tmp_path / "t.yaml").read_text()),
        load(str(tmp_path / "noext"), tmp_path),
    ]
    for specs in forms:
        assert [(s.id, s.prompt, s.max_turns) for s in specs] == [("a", "hello", 2), ("b", "bye", None)]


def test_numeric_ids_become_strings(tmp_path: Path) -> None:
    assert [s.id for s in load('[{"id": 1, "prompt": "x"}, {"id": 2, "prompt": "y"}]', tmp_path)] == ["1", "2"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('[{"id": "a", "prompt": "x"', "inline tasks: invalid JSON at line 1"),
        ("[]", "the task list is empty"),
        ('{"id": "a", "prompt": "x"}', 'expected a list of tasks or a table with only "tasks"'),
        ('{"tasks": [], "defaults": {}}', "found ['defaults']"),
        ('"just text"', 'no such file "just text"'),
        ("{tasks: oops}", "inline tasks: invalid JSON at line 1, column 2"),
        ('["a"]', "task 1 is a str, not a table"),
        ('[{"id": "a", "prompt": "x", "promt": "y"}]', "task 1: unknown key 'promt'"),
        ('[{"prompt": "x"}]', 'task 1: missing "id"'),
        ('[{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]', 'task 2: duplicate id "a"'),
        ('[{"id": "a/b", "prompt": "x"}]', "id 'a/b' must be 1-64 letters"),
        ('[{"id": "a"}]', 'task 1 ("a"): missing "prompt"'),
        ('[{"id": "a", "prompt": "  "}]', '"prompt" must be a non-empty string'),
        ('[{"id": "a", "prompt": "x", "budget_usd": -1}]', '"budget_usd" must be a positive number'),
        ('[{"id": "a", "prompt": "x", "budget_usd": true}]', '"budget_usd" must be a positive number'),
        ('[{"id": "a", "prompt": "x", "timeout_s": 0}]', '"timeout_s" must be a positive number'),
        ('[{"id": "a", "prompt": "x", "max_turns": 1.5}]', '"max_turns" must be a positive whole number'),
        ('[{"id": "a", "prompt": "x", "permission_mode": "yolo"}]', '"permission_mode" must be one of default'),
        ('[{"id": "a", "prompt": "x", "worktree": "yes"}]', '"worktree" must be true or false'),
        ('[{"id": "a", "prompt": "x", "allowed_tools": [1]}]', '"allowed_tools" must be a list of tool names'),
        ('[{"id": "a", "prompt": "x", "env": {"A": 1}}]', '"env" must be a table of variable names'),
        ('[{"id": "a", "prompt": "x", "cwd": "nowhere"}]', "cwd 'nowhere' is not a folder"),
    ],
)
def test_invalid_lists_are_refused(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        load(source, tmp_path)
    assert message in str(caught.value)


def test_file_errors_name_the_file_and_place(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("- id: a\n  prompt: [unclosed\n")
    (tmp_path / "bad.toml").write_text("[[tasks]]\nid = \n")
    with pytest.raises(UsageError, match=r"bad\.yaml: invalid YAML at line \d+"):
        load(str(tmp_path / "bad.yaml"), tmp_path)
    with pytest.raises(UsageError, match=r"bad\.toml: invalid TOML"):
        load(str(tmp_path / "bad.toml"), tmp_path)
    with pytest.raises(UsageError, match=r"no such file missing\.json"):
        load("missing.json", tmp_path)
    with pytest.raises(UsageError, match="no standard input"):
        load("-", tmp_path)


def _runs_recorded(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    finally:
        conn.close()


def _fake_claude(path: Path, version: str) -> Path:
    path.write_text(f"#!/bin/sh\necho '{version} (Claude Code)'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['[{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]'], 'duplicate id "a"'),
        (["[{oops"], "invalid JSON"),
        (['[{"id": "a", "prompt": "x", "colour": "red"}]'], "unknown key 'colour'"),
        (['[{"id": "a", "prompt": "x"}]', "--permission-mode", "yolo"], "--permission-mode must be one of"),
        (['[{"id": "a", "prompt": "x"}]', "--claude-bin", "/nonexistent/claude"], "does not exist"),
        (['[{"id": "a", "prompt": "x"}]', "--claude-bin", "claude-not-on-path-anywhere"], "no `claude-not-on-path"),
        (['[{"id": "a", "prompt": "x", "worktree": true}]'], "--worktree needs a git repository"),
        (['[{"id": "a", "prompt": "x", "timeout_s": NaN}]'], '"timeout_s" must be a positive number'),
        (['[{"id": "a", "prompt": "x", "budget_usd": Infinity}]'], '"budget_usd" must be a positive number'),
        (['[{"id": "a", "prompt": "\\ud800"}]'], '"prompt" must be valid Unicode text'),
        (['[{"id": "a", "prompt": "x", "env": {"lower": "1"}}]'], '"env" must be a table of variable names'),
        (['[{"id": "a..b", "prompt": "x"}]', "--worktree"], "cannot end the git branch name ccdeck/RUN/a..b"),
        (['[{"id": "x.lock", "prompt": "x", "worktree": true}]'], "a part of it ends with '.lock'"),
    ],
)
def test_cli_refuses_bad_input_with_one_line(
    capsys: Capsys, tmp_path: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db" / "ccdeck.db"
    fake = _fake_claude(tmp_path / "claude", "2.1.330")
    extra = [] if "--claude-bin" in args else ["--claude-bin", str(fake)]
    code, out, err = run_cli(capsys, "run", *args, *extra, "--db", db)

    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("ccdeck: error: ") and message in err, err
    assert _runs_recorded(db) == 0


BRANCH_IDS = ["a..b", "x.lock", "x.", ".x", "-x", "a@{b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[b", "a\\b",
              "a\x7f", "ok", "ok.1", "x.lock.d", "a.b-c_d", "@", "a@b", "lock"]  # fmt: skip


def test_branch_rule_is_gits() -> None:
    for task_id in BRANCH_IDS:
        name = f"ccdeck/20250101-000000-abcd/{task_id}"
        git = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True, check=False)
        assert (branch_problem(name) is None) == (git.returncode == 0), (task_id, branch_problem(name))
    assert branch_problem("-x") is not None and branch_problem("@") is not None


def test_worktree_ids_git_refuses_are_refused_and_others_not(tmp_path: Path) -> None:
    for task_id in ("a..b", "x.lock", "x."):
        source = json.dumps([{"id": task_id, "prompt": "p"}])
        with pytest.raises(UsageError, match="cannot end the git branch name"):
            load(source, tmp_path, options=replace(OPTIONS, worktree=True))
        assert [s.id for s in load(source, tmp_path)] == [task_id]  # without worktrees the id names files only


def test_cli_refuses_a_claude_too_old(capsys: Capsys, tmp_path: Path) -> None:
    old = _fake_claude(tmp_path / "claude", "2.0.27")
    code, _, err = run_cli(
        capsys, "run", '[{"id": "a", "prompt": "x"}]', "--claude-bin", old, "--db", tmp_path / "d.db"
    )
    assert code == 2
    assert "is Claude Code 2.0.27; ccdeck run needs 2.0.28 or newer" in err
    assert _runs_recorded(tmp_path / "d.db") == 0


def test_cli_reads_tasks_from_stdin_and_env_settings(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A valid list from stdin gets as far as the binary check, which CCDECK_CLAUDE_BIN points at a CLI too old.
    monkeypatch.setattr(sys, "stdin", io.StringIO('[{"id": "a", "prompt": "x"}]'))
    monkeypatch.setenv("CCDECK_CLAUDE_BIN", str(_fake_claude(tmp_path / "claude", "1.0.0")))
    code, _, err = run_cli(capsys, "run", "-", "--db", tmp_path / "d.db")
    assert code == 2
    assert "is Claude Code 1.0.0" in err
    monkeypatch.setenv("CCDECK_MAX_PARALLEL", "zero")
    code, _, err = run_cli(capsys, "run", "-", "--db", tmp_path / "d.db")
    assert (code, err.strip()) == (2, "ccdeck: error: CCDECK_MAX_PARALLEL='zero' is not valid: "
                                      "invalid literal for int() with base 10: 'zero'")  # fmt: skip
    assert os.environ["CCDECK_MAX_PARALLEL"] == "zero"


def test_options_from_a_request_body() -> None:
    defaults = RunOptions(max_parallel=3, timeout_s=100)
    assert options_from_request(None, defaults) == defaults
    body = {"maxParallel": 8, "model": "opus", "budget": 2, "maxTurns": 5, "retries": 0, "permissionMode": "plan",
            "worktree": True, "grace": 0, "stagger": 0.5}  # fmt: skip
    chosen = options_from_request(body, defaults)
    assert (chosen.max_parallel, chosen.model, chosen.budget_usd, chosen.max_turns, chosen.retries) == (
        8,
        "opus",
        2.0,
        5,
        0,
    )
    assert (chosen.permission_mode, chosen.worktree, chosen.grace_s, chosen.stagger_s, chosen.timeout_s) == (
        "plan", True, 0.0, 0.5, 100
    )  # fmt: skip
    assert chosen.public()["maxParallel"] == 8
    assert options_from_request(chosen.public(), RunOptions()) == chosen
    refused = [
        ({"maxParallel": 0}, '"maxParallel" must be a positive whole number'),
        ({"retries": -1}, '"retries" must be a whole number of 0 or more'),
        ({"permissionMode": "x"}, '"permissionMode" must be one of'),
        ({"colour": 1}, "options: unknown key 'colour'"),
        ([1], "options: expected a table"),
    ]
    for bad, message in refused:
        with pytest.raises(UsageError) as caught:
            options_from_request(bad, defaults)
        assert message in str(caught.value)


def test_hooks_url_is_a_setting_never_a_request_option(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "http://127.0.0.1:8484/api/hooks"
    loopback = control.defaults_from(Config.resolve(environ={"CCDECK_HOOKS_URL": url}))
    assert (loopback.hooks_url, loopback.hooks_token) == (url, False)
    remote = control.defaults_from(Config.resolve(environ={"CCDECK_HOOKS_URL": "http://10.1.2.3:8484/api/hooks"}))
    assert remote.hooks_token is True
    with_token = control.defaults_from(Config.resolve(environ={"CCDECK_HOOKS_URL": url, "CCDECK_TOKEN": "t"}))
    assert with_token.hooks_token is True
    assert control.defaults_from(Config.resolve(environ={})).hooks_url is None
    # A request can neither see nor set where the hooks go.
    assert "hooksUrl" not in loopback.public() and "hooks_url" not in loopback.public()
    with pytest.raises(UsageError, match="unknown key 'hooksUrl'"):
        options_from_request({"hooksUrl": "http://elsewhere.example/"}, RunOptions())
    assert RunOptions.from_json(loopback.as_json()) == loopback  # kept with the run for a detached supervisor
    for bad in ("ftp://host/api/hooks", "127.0.0.1:8484", "http:///api/hooks", "http://h:port/x", "http://h/\n"):
        with pytest.raises(UsageError, match="hooks URL"):
            RunOptions(hooks_url=bad)
    monkeypatch.delenv("CCDECK_TOKEN", raising=False)
    code, _, err = run_cli(capsys, "run", '[{"id": "a", "prompt": "x"}]', "--hooks-url", "http://10.1.2.3:1/api/hooks",
                           "--db", tmp_path / "d.db")  # fmt: skip
    assert code == 2 and "set CCDECK_TOKEN" in err
    code, _, err = run_cli(capsys, "run", '[{"id": "a", "prompt": "x"}]', "--hooks-url", "nope", "--db",
                           tmp_path / "d.db")  # fmt: skip
    assert code == 2 and "hooks URL 'nope'" in err


def test_launch_commands_are_listed_and_the_supervisor_entry_is_not(capsys: Capsys) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for command in ("run", "status", "result", "logs", "stop", "stop-all", "clean", "run-multi", "start"):
        assert f" {command} " in out, command
    assert "_supervise" not in out


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("tasks.yaml", "- id: a\n  prompt: x\n  timeout_s: .nan\n"),
        ("tasks.yaml", "- id: a\n  prompt: x\n  budget_usd: .inf\n"),
        ("tasks.toml", '[[tasks]]\nid = "a"\nprompt = "x"\ntimeout_s = inf\n'),
        ("tasks.toml", '[[tasks]]\nid = "a"\nprompt = "x"\nmax_turns = 100000000000000000\n'),
        ("tasks.json", '[{"id": "a", "prompt": "x", "timeout_s": -Infinity}]'),
        ("tasks.json", '[{"id": "a", "prompt": "x", "timeout_s": 1e300}]'),
    ],
)
def test_numbers_in_files_are_finite_and_bounded(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(UsageError, match=r"must be a (positive|whole) "):
        load(str(tmp_path / name), tmp_path)


def test_text_cwd_and_numbers_that_cannot_reach_a_process_are_refused(tmp_path: Path) -> None:
    for table, message in [
        ({"id": "a", "prompt": "nul\x00byte"}, '"prompt" must be valid Unicode text without NUL'),
        ({"id": "a", "prompt": "x", "env": {"A": "\ud800"}}, '"env" must be a table'),
        ({"id": "a", "prompt": "x", "cwd": "a\x00b"}, '"cwd" must be valid Unicode text without NUL'),
        ({"id": "a", "prompt": "x", "cwd": "~no-such-user-anywhere/x"}, "is not a folder"),
        ({"id": "a", "prompt": "x", "cwd": "x" * 5000}, "is not a folder"),
        ({"id": "a", "prompt": "x", "cwd": str(tmp_path / "file.txt")}, "is not a folder"),
    ]:
        (tmp_path / "file.txt").write_text("not a folder")
        with pytest.raises(UsageError) as caught:
            resolve_tasks([table], OPTIONS, tmp_path)
        assert message in str(caught.value), table
    with pytest.raises(UsageError, match=r'"maxParallel" must be a positive whole number \(at most 256\)'):
        options_from_request({"maxParallel": 10**30}, RunOptions())
    with pytest.raises(UsageError, match='"timeout" must be a positive number'):
        options_from_request({"timeout": float("nan")}, RunOptions())
