"""Every table at 80, 100 and 160 columns: nothing wider than the terminal, the important columns kept, nothing cut
on a wide one; short model names, projects and costs; the lines printed when there is nothing to show; and the
confirmation `clean` asks for."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType

from ccdeck.orchestrator.report import run_json
from ccdeck.render import run_tables
from ccdeck.render.cells import cost, model_names, project_names
from ccdeck.render.fit import Column, FitTable
from ccdeck.render.watch_screen import render_watch
from ccdeck.store import runs as q
from ccdeck.store.store import Store
from core_fixtures import CCDECK, run_cli, write_report_config

Capsys = pytest.CaptureFixture[str]
WIDTHS = (80, 100, 160)
CUT = re.compile(r"…(?!/)")  # an ellipsis that ends a cut cell (`…/dev/app` is a shortened project, not a cut)


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").splitlines()


def _check(text: str, width: int, headers: tuple[str, ...]) -> str:
    """No line wider than the terminal; every header whole; at 160 columns no cell cut."""
    assert max(len(line) for line in _lines(text)) <= width, text
    header = next(line for line in _lines(text) if "┃" in line)
    for name in headers:
        assert f" {name} " in header, (name, header)
    if width >= 160:
        assert not CUT.search(text), text
    return text


def _render(thing: RenderableType, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, file=Path(os.devnull).open("w"))  # noqa: SIM115
    console.print(thing)
    return console.export_text()


# ------------------------------------------------------------------------------------------------- cells


def test_one_cost_format() -> None:
    assert [cost(v) for v in (None, 0.0612, 1.756, 1234.5)] == ["—", "$0.06", "$1.76", "$1,234.50"]


def test_model_names_are_short_and_never_ambiguous() -> None:
    assert model_names(["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5"]) == {
        "claude-opus-4-5-20251101": "opus-4-5",
        "claude-sonnet-4-5-20250929": "sonnet-4-5",
        "claude-haiku-4-5": "haiku-4-5",
    }
    two_dates = model_names(["claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20251001", "claude-opus-4-1"])
    assert two_dates == {
        "claude-sonnet-4-5-20250929": "sonnet-4-5-20250929",
        "claude-sonnet-4-5-20251001": "sonnet-4-5-20251001",
        "claude-opus-4-1": "opus-4-1",
    }
    assert model_names(["claude-opus-4-5", "claude-opus-4-5-20251101"]) == {
        "claude-opus-4-5": "opus-4-5",
        "claude-opus-4-5-20251101": "opus-4-5-20251101",
    }
    assert model_names(["claude-opus-4", "opus-4", "glm-4.6"]) == {
        "claude-opus-4": "claude-opus-4",
        "opus-4": "opus-4",
        "glm-4.6": "glm-4.6",
    }


def test_projects_show_their_last_folders_as_many_as_tell_them_apart() -> None:
    names = project_names(["/home/me/work/app", "/home/me/a/x/lib", "/home/me/b/x/lib", "/srv/api", None])
    assert names["/home/me/work/app"] == "…/work/app"
    assert (names["/home/me/a/x/lib"], names["/home/me/b/x/lib"]) == ("…/a/x/lib", "…/b/x/lib")
    assert (names["/srv/api"], names[None]) == ("/srv/api", "—")


# ------------------------------------------------------------------------------------------------- the helper


def _demo() -> FitTable:
    table = FitTable([Column("State"), Column("Title", flex=True, min_width=10), Column("Files", drop=2),
                      Column("Branch", drop=3), Column("Cost", justify="right")])  # fmt: skip
    table.add_row("working", "Make the test suite pass on Python 3.13 and 3.14", "12", "feat/very-long-branch", "$1.76")
    return table


def test_the_least_important_columns_go_first_and_the_flexible_one_takes_the_rest() -> None:
    wide = _render(_demo(), 160)
    assert "feat/very-long-branch" in wide and "3.13 and 3.14" in wide and "Hidden" not in wide
    narrow = _render(_demo(), 50)
    assert "Branch" not in narrow.splitlines()[1] and "Files" in narrow and "$1.76" in narrow
    assert "Hidden at this width: Branch." in narrow
    assert "Make the test suite…" in narrow  # cut once, with …, not every cell
    assert max(len(line) for line in _lines(narrow)) <= 50
    assert "Make the …" in _render(_demo(), 40)  # the flexible column down to its least width
    tight = _render(_demo(), 36)
    assert "Files" not in tight.splitlines()[1] and "$1.76" in tight and "working" in tight


# ------------------------------------------------------------------------------------------------- usage, sessions


@pytest.fixture
def args(tmp_path: Path) -> list[str]:
    write_report_config(tmp_path / "config")
    return ["--config-dir", str(tmp_path / "config"), "--db", str(tmp_path / "db.sqlite"), "--timezone", "UTC"]


def _cli_at(width: int, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, *argv: str) -> str:
    """The command's output in a terminal `width` columns wide (the command reads `COLUMNS` when it starts)."""
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    return out


USAGE = {
    "daily": ("Date", "Models", "Total", "Cost"),
    "weekly": ("Week", "Models", "Total", "Cost"),
    "monthly": ("Month", "Models", "Total", "Cost"),
    "session": ("Project", "Models", "Total", "Cost"),
    "blocks": ("Block start", "Models", "Total", "Cost"),
}


@pytest.mark.parametrize("width", WIDTHS)
def test_usage_tables_fit(capsys: Capsys, monkeypatch: pytest.MonkeyPatch, args: list[str], width: int) -> None:
    for command, headers in USAGE.items():
        extra = ["--breakdown"] if command in ("daily", "weekly", "monthly") else []
        text = _check(_cli_at(width, capsys, monkeypatch, "usage", command, *extra, *args), width, headers)
        assert "$5.58" in text  # the total's cost, whole
        if extra:
            assert "└ opus-4 " in text and "└ sonnet-4 " in text  # claude-opus-4-20250514, claude-sonnet-4-20250514
        if width == 160:
            assert "Cache write" in text and "Cache read" in text and "Hidden" not in text
            assert "claude-" not in text and "opus-4, sonnet-4" in text.replace("sonnet-4, opus-4", "opus-4, sonnet-4")
    assert "Hidden at this width" in _cli_at(80, capsys, monkeypatch, "usage", "session", *args)


@pytest.mark.parametrize("width", WIDTHS)
def test_sessions_table_fits(capsys: Capsys, monkeypatch: pytest.MonkeyPatch, args: list[str], width: int) -> None:
    argv = [a for a in args if a not in ("--timezone", "UTC")]
    text = _check(_cli_at(width, capsys, monkeypatch, "sessions", *argv), width, ("State", "Project", "Title", "Cost"))
    assert "…/dev/beta" in text and "$4.75" in text
    if width == 160:
        assert "work on /home/dev/alpha-b" in text and "Branch" in text and "Files" in text


# ------------------------------------------------------------------------------------------------- watch

WATCH_SUMMARY = {"today": {"totalTokens": 1_234_567, "costUSD": 4.5}, "active": {"working": 2, "waiting": 0, "idle": 0}}
WATCH_ROWS = [
    {"state": "working", "projectPath": "/home/dev/work/shop-api", "gitBranch": "feat/cart",
     "models": ["claude-sonnet-4-5-20250929"], "firstActivity": "2026-01-01T10:00:00.000Z",
     "doing": "Edit: /home/dev/work/shop-api/cart.py", "title": "Cart", "totalTokens": 52_000, "costUSD": 0.1234,
     "filesChanged": 3},
    {"state": "blocked", "projectPath": "/home/dev/work/web", "gitBranch": "main", "models": ["claude-opus-4-5"],
     "firstActivity": "2026-01-01T11:00:00.000Z", "doing": "Bash: npm test", "title": None, "totalTokens": 9_000,
     "costUSD": None, "filesChanged": 0},
]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
def test_watch_fits(width: int) -> None:
    text = _render(render_watch(WATCH_ROWS, WATCH_SUMMARY, 1767261600 + 3725), width)
    _check(text, width, ("State", "Project", "Doing", "Cost"))
    assert "Sta…" not in text and "wor…" not in text
    working = next(line for line in _lines(text) if "│ working" in line)
    assert "…/work/shop-api" in working and "Edit: /home/dev/" in working and "$0.12" in working
    assert "—" in next(line for line in _lines(text) if "│ blocked" in line)  # unpriced
    if width == 160:
        assert "sonnet-4-5" in working and "opus-4-5" in text and "feat/cart" in working


# ------------------------------------------------------------------------------------------------- runs


def _run(now: float, status: str = "running") -> dict[str, Any]:
    run = {"id": "20260101-101010-abcd", "created_at": now - 30, "status": status, "options": "{}",
           "claude_bin": "/bin/claude", "log_dir": "/logs/r", "detached": False, "started_at": now - 20,
           "finished_at": None if status == "running" else now - 5, "claude_version": "2.1.330",
           "supervisor_pid": 1, "stop_requested": None}  # fmt: skip
    base = {"run_id": run["id"], "spec": '{"prompt": "p"}', "cwd": "/w", "exit_code": None, "api_seconds": None,
            "permission_denials": "[]", "error": None, "subtype": None, "terminal_reason": None,
            "api_error_status": None, "attempt": 1, "attempts": "[]", "files_changed": "[]", "worktree": None,
            "pid": None}  # fmt: skip
    tasks = [
        {**base, "task_id": "build-the-frontend", "status": "running", "session_id": "s1", "cost_usd": 0.0123,
         "cost_estimated": True, "seconds": 2.0, "started_at": now - 12.5, "finished_at": None, "num_turns": 3,
         "result": None, "model_usage": '{"claude-opus-4-5-20251101": {"totalTokens": 4321, "costUSD": 0.0123}}',
         "last_tool": "Bash: npm run build -- --mode production --outDir dist/very/long/path"},
        {**base, "task_id": "docs", "status": "succeeded", "session_id": "s2", "cost_usd": 1.756,
         "cost_estimated": False, "seconds": 8.0, "started_at": now - 20, "finished_at": now - 12, "num_turns": 2,
         "result": "Fixed the typos in README.md and docs/API.md.", "model_usage": "{}", "last_tool": None,
         "permission_denials": '[{"tool_name": "Bash"}]', "files_changed": '["README.md"]'},
    ]  # fmt: skip
    return run_json(run, tasks, now)


@pytest.mark.parametrize("width", WIDTHS)
def test_run_tables_fit(width: int) -> None:
    now = time.time()
    run = _run(now)
    live = _check(_render(run_tables.live_table(run["tasks"], now), width), width, ("Task", "State", "Cost"))
    assert "12.5s" in live  # from its start to now, not to its last output (2.0s)
    summary = _check(_render(run_tables.summary(run, now), width), width, ("Task", "State", "Cost", "Result"))
    assert "$1.76" in summary and "Fixed the typos" in summary and "build-the-frontend" in summary
    assert "speed-up" not in summary and "Running for 20.0s" in summary
    runs = _check(_render(run_tables.runs_table([run]), width), width, ("Run", "Status", "Cost"))
    assert "20260101-101010-abcd" in runs
    result = _render(run_tables.result_table(run["tasks"][0], now), width)
    assert max(len(line) for line in _lines(result)) <= width
    assert "opus-4-5 $0.01" in result and "12.5s, 3 turn(s)" in result
    if width == 160:
        assert "Bash: npm run build -- --mode production --outDir dist/very/long/path" in live


def test_a_finished_run_shows_its_speed_up() -> None:
    now = time.time()
    text = _render(run_tables.summary(_run(now, status="finished"), now), 160)
    assert "speed-up" in text and "Running for" not in text


# ------------------------------------------------------------------------------------------------- empty states


def test_empty_states_say_where_they_looked(capsys: Capsys, tmp_path: Path) -> None:
    empty = tmp_path / "claude"
    (empty / "projects").mkdir(parents=True)
    given = ["--config-dir", str(empty), "--db", str(tmp_path / "db.sqlite")]
    _, out, _ = run_cli(capsys, "sessions", *given)
    assert out.strip() == f"no sessions in {empty}/projects; pass --config-dir DIR to read another"
    _, out, _ = run_cli(capsys, "sessions", "--project", "nope", *given)
    assert out.strip().startswith("no sessions match --project nope in ")
    _, out, _ = run_cli(capsys, "usage", "daily", "--no-scan", *given)
    assert out.strip() == f"no usage in {empty}/projects; run without --no-scan to read new lines"
    code, out, _ = run_cli(capsys, "status", "--db", str(tmp_path / "db.sqlite"))
    assert code == 0 and out.strip() == f"no runs in {tmp_path / 'db.sqlite'}; start one with `ccdeck run TASKS`"
    watch = _render(render_watch([], WATCH_SUMMARY, 0.0, (empty,)), 100)
    assert f"no active sessions in {empty}/projects; start claude in a terminal" in " ".join(watch.split())


def test_status_of_one_run_prints_one_table(capsys: Capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    _finished_runs(db, ages_days=(0.0,))
    out = _cli_at(100, capsys, monkeypatch, "status", "run-0", "--db", str(db))
    assert out.count("┏") == 1


# ------------------------------------------------------------------------------------------------- clean


def _finished_runs(db: Path, ages_days: tuple[float, ...]) -> list[str]:
    ids = []
    with Store.open(db) as store:
        for n, age in enumerate(ages_days):
            ended = time.time() - age * 86400
            run = {"id": f"run-{n}", "created_at": ended - 60, "started_at": ended - 50, "finished_at": ended,
                   "status": "finished", "options": "{}", "claude_bin": "/bin/claude",
                   "log_dir": str(db.parent / f"l{n}"), "detached": False}  # fmt: skip
            task = {"run_id": run["id"], "task_id": "t", "position": 0, "spec": '{"prompt": "p"}', "cwd": "/w",
                    "status": "succeeded"}  # fmt: skip
            store.write(lambda c, run=run, task=task: q.insert_run(c, run, [task]))
            ids.append(run["id"])
    return ids


def _left(db: Path) -> list[str]:
    with Store.open(db) as store, store.read() as conn:
        return sorted(run.id for run in q.list_runs(conn))


def _clean_on_a_terminal(env: dict[str, str], db: Path, answer: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """`ccdeck clean` with its stdin on a pseudo-terminal, answering `answer`."""
    main, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([str(CCDECK), "clean", "--db", str(db), *extra], stdin=secondary,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
        os.write(main, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(main)
        os.close(secondary)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_clean_asks_on_a_terminal(child_env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    _finished_runs(db, ages_days=(1.0, 10.0))
    declined = _clean_on_a_terminal(child_env, db, "n")
    assert declined.returncode == 0, declined.stderr
    assert "Forget 2 finished run(s)" in declined.stderr and "nothing removed" in declined.stdout
    assert _left(db) == ["run-0", "run-1"]
    accepted = _clean_on_a_terminal(child_env, db, "y", "--older-than", "7d")
    assert "Forget 1 finished run(s) that ended over 7d ago" in accepted.stderr
    assert "removed 1 run(s)" in accepted.stdout
    assert _left(db) == ["run-0"]


def test_clean_without_a_terminal_or_with_yes_does_not_ask(child_env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    _finished_runs(db, ages_days=(0.2, 1.0, 3.0))
    env = dict(child_env)
    piped = subprocess.run([str(CCDECK), "clean", "--older-than", "12h", "--db", str(db)], input="",
                           capture_output=True, text=True, env=env, timeout=60, check=False)  # fmt: skip
    assert piped.returncode == 0 and "Forget" not in piped.stderr
    assert _left(db) == ["run-0"]
    yes = _clean_on_a_terminal(child_env, db, "", "--yes")
    assert yes.returncode == 0 and "Forget" not in yes.stderr and "removed 1 run(s)" in yes.stdout
    assert _left(db) == []


@pytest.mark.parametrize("bad", ["7", "d", "7 days", "-1h", "1y"])
def test_clean_refuses_a_bad_duration(capsys: Capsys, tmp_path: Path, bad: str) -> None:
    code, out, err = run_cli(capsys, "clean", "--older-than", bad, "--db", str(tmp_path / "db.sqlite"))
    assert code == 2 and out == ""
    assert err.startswith("ccdeck: error: --older-than takes a number and a unit") and len(err.splitlines()) == 1


@pytest.mark.parametrize("width", [80, None])
def test_piped_output_is_as_wide_as_columns_says(child_env: dict[str, str], args: list[str], width: int | None) -> None:
    env = dict(child_env)
    env.pop("COLUMNS", None)
    if width is not None:
        env["COLUMNS"] = str(width)
    done = subprocess.run([str(CCDECK), "usage", "daily", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    widest = max(len(line) for line in _lines(done.stdout))
    assert widest <= 80 if width else "Cache write" in done.stdout  # piped without COLUMNS: 200 wide, all columns
