"""`ccdeck run`'s options: one declaration each (`run_flags`), with the defaults of `RunOptions` and the settings;
a flag left out gives the run the declared default, and no command writes a default of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdeck import config
from ccdeck.cli import command_tree
from ccdeck.config import Config
from ccdeck.errors import UsageError
from ccdeck.orchestrator.options import PERMISSION_MODES, RunOptions
from ccdeck.orchestrator.plan import run_options
from ccdeck.orchestrator.run_flags import FLAGS, flags_markdown


def test_a_run_without_flags_gets_the_declared_defaults(tmp_path: Path) -> None:
    cfg = Config.resolve(db=tmp_path / "db.sqlite", environ={})
    assert run_options(cfg, None, None, False) == RunOptions()


def test_flags_override_the_declared_defaults(tmp_path: Path) -> None:
    cfg = Config.resolve(db=tmp_path / "db.sqlite", environ={"CCDECK_MAX_PARALLEL": "9"})
    options = run_options(cfg, 7, "plan", True, retries=0, grace=1.5, retry_delay=0.0, stagger=0.0)
    assert options == RunOptions(max_parallel=9, max_turns=7, permission_mode="plan", worktree=True, retries=0,
                                 grace_s=1.5, retry_base_s=0.0, stagger_s=0.0)  # fmt: skip
    with pytest.raises(UsageError, match="--permission-mode must be one of"):
        run_options(cfg, None, "yolo", False)


@pytest.mark.parametrize("command", ["run", "start"])
def test_the_commands_write_no_default_of_their_own(command: str) -> None:
    """Every declared flag of `run` and `start` is None (or off) when left out: the default is the declaration's."""
    params = command_tree().commands[command].params  # type: ignore[attr-defined]
    declared = [p for p in params if p.param_type_name == "option" and p.opts[0] in FLAGS]
    assert declared
    for param in declared:
        assert param.default is (False if FLAGS[param.opts[0]].kind is bool else None), param.opts[0]


def test_help_shows_each_default_from_its_declaration() -> None:
    defaults = RunOptions()
    assert FLAGS["--retries"].help.endswith(f"(default {defaults.retries})")
    assert FLAGS["--stagger"].help.endswith(f"(default {config.shown(defaults.stagger_s)})")
    assert FLAGS["--permission-mode"].help.endswith(f"(default {defaults.permission_mode})")
    assert FLAGS["--max-parallel"].help.endswith(f"(default {config.MAX_PARALLEL.default()}; env CCDECK_MAX_PARALLEL)")
    assert FLAGS["--db"].help.endswith("(env CCDECK_DB)") and FLAGS["--worktree"].default is None
    assert all(mode in FLAGS["--permission-mode"].help for mode in PERMISSION_MODES)


def test_the_readme_table_has_a_row_per_flag() -> None:
    rows = flags_markdown().splitlines()[2:]
    assert [row.split("`")[1].split()[0] for row in rows] == list(FLAGS)
    assert "| `--timeout S` | `CCDECK_TIMEOUT` | `3600` |" in flags_markdown()
