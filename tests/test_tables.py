"""The command's tables at 80, 100 and 160 columns: nothing wider than the terminal, the important columns kept,
nothing cut on a wide one (the tables' parts are tested in tests/render/); the lines printed when there is nothing
to show; the confirmation `clean` asks for; piped output as wide as `COLUMNS` says."""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path

import pytest

from ccdeck.render.watch_screen import render_watch
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from core_fixtures import CCDECK, run_cli, write_report_config
from render.table_checks import WATCH_SUMMARY, WIDTHS, check_fits, lines_of, render_text

Capsys = pytest.CaptureFixture[str]


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
        text = check_fits(_cli_at(width, capsys, monkeypatch, "usage", command, *extra, *args), width, headers)
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
    text = check_fits(
        _cli_at(width, capsys, monkeypatch, "sessions", *argv), width, ("State", "Project", "Title", "Cost")
    )
    assert "…/dev/beta" in text and "$4.75" in text
    if width == 160:
        assert "work on /home/dev/alpha-b" in text and "Branch" in text and "Files" in text


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
    watch = render_text(render_watch([], WATCH_SUMMARY, 0.0, (empty,)), 100)
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
        return sorted(run.id for run in run_queries.list_runs(SqlaReader(conn)))


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
    widest = max(len(line) for line in lines_of(done.stdout))
    assert widest <= 80 if width else "Cache write" in done.stdout  # piped without COLUMNS: 200 wide, all columns
