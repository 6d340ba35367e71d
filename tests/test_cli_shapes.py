"""Each `--json` output of the CLI has exactly the keys its declaration in `ccdeck.shapes.cli` names, at every
level: other tools read these shapes, so a key may be added (to the declaration) but never renamed or dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from typing_extensions import is_typeddict

from ccdeck.shapes import cli as shapes
from core_fixtures import cli_json, write_report_config

Capsys = pytest.CaptureFixture[str]


def mismatches(value: Any, shape: Any, where: str = "$") -> list[str]:
    """Where `value` does not have the keys of `shape` (a TypedDict, or a list, dict or union of them)."""
    if is_typeddict(shape):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        keys = shape.__required_keys__ | shape.__optional_keys__
        wrong = (set(value) - keys) | (shape.__required_keys__ - set(value))
        found = [f"{where}: {k!r} {'not declared' if k in value else 'missing'}" for k in sorted(wrong)]
        hints = get_type_hints(shape)
        return found + [m for k in value.keys() & keys for m in mismatches(value[k], hints[k], f"{where}.{k}")]
    origin, args = get_origin(shape), get_args(shape)
    if origin is list and isinstance(value, list):
        return [m for i, item in enumerate(value) for m in mismatches(item, args[0], f"{where}[{i}]")]
    if origin is dict and isinstance(value, dict):
        return [m for k, item in value.items() for m in mismatches(item, args[1], f"{where}.{k}")]
    if origin is Union or str(origin) == "<class 'types.UnionType'>":
        candidates = [a for a in args if a is not type(None)]
        if value is None or len(candidates) != 1:
            return []
        return mismatches(value, candidates[0], where)
    return []


@pytest.fixture
def args(tmp_path: Path) -> list[str | Path]:
    config = tmp_path / "config"
    write_report_config(config)
    return ["--config-dir", config, "--db", tmp_path / "db.sqlite"]


@pytest.mark.parametrize(
    ("command", "shape"),
    [
        (["usage", "daily"], shapes.DailyReport),
        (["usage", "weekly"], shapes.WeeklyReport),
        (["usage", "monthly"], shapes.MonthlyReport),
        (["usage", "session"], shapes.SessionReport),
        (["usage", "session", "--all"], shapes.SessionReport),
        (["usage", "blocks"], shapes.BlocksReport),
        (["usage", "machines"], shapes.MachinesReport),
        (["sessions"], shapes.SessionList),
        (["search", "work"], shapes.SearchReport),
        (["scan"], shapes.ScanStats),
    ],
)
def test_usage_outputs_have_their_declared_keys(capsys: Capsys, args: list[str | Path], command: list[str],
                                                shape: Any) -> None:  # fmt: skip
    data = cli_json(capsys, *command, *args)
    assert mismatches(data, shape) == []
    assert any(isinstance(v, list) and v for v in data.values()) or command == ["scan"]  # rows were checked too


@pytest.mark.parametrize(
    ("command", "shape"), [(["status"], shapes.RunsReport), (["stop-all", "--no-wait"], shapes.StoppedReport)]
)
def test_run_outputs_have_their_declared_keys(capsys: Capsys, tmp_path: Path, command: list[str], shape: Any) -> None:
    assert mismatches(cli_json(capsys, *command, "--db", tmp_path / "db.sqlite"), shape) == []


def test_the_checker_sees_a_missing_and_an_undeclared_key() -> None:
    row = {"files": 1, "bytes": 2, "lines": 3, "newResponses": 4, "problems": 0, "skipped": 0, "seconds": 0.1,
           "unknownTypes": {}, "extra": 1}  # fmt: skip
    assert mismatches(row, shapes.ScanStats) == ["$: 'extra' not declared", "$: 'sessionsChanged' missing"]
