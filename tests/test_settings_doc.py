"""Each setting and each option of `ccdeck run` is declared once; the README's tables of them are generated from the
declarations and must match them. `python tests/test_settings_doc.py` rewrites the README's tables."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ccdeck import config
from ccdeck.errors import UsageError
from ccdeck.orchestrator.options import RunOptions
from ccdeck.orchestrator.run_flags import FLAGS, flags_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
# Each generated table sits between `<!-- NAME -->` and `<!-- /NAME -->` in the README.
TABLES: dict[str, Callable[[], str]] = {"settings": config.settings_markdown, "run-options": flags_markdown}


def _section(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name} -->\n)(.*?)(<!-- /{name} -->)", re.DOTALL)


def rewrite(text: str) -> str:
    """The README with each generated table as its declarations give it today."""
    for name, table in TABLES.items():
        text = _section(name).sub(lambda m, t=table: m[1] + t() + "\n" + m[3], text)  # type: ignore[misc]
    return text


@pytest.mark.parametrize("name", list(TABLES))
def test_readme_tables_match_the_declarations(name: str) -> None:
    found = _section(name).search(README.read_text())
    assert found is not None, f"README has no <!-- {name} --> section"
    assert found[2] == TABLES[name]() + "\n", f"README's {name} table is stale: run `.venv/bin/python {__file__}`"


def test_every_run_flag_default_is_the_one_runs_get() -> None:
    """Help and the README show, for each flag, the default a run gets without it."""
    defaults = RunOptions()
    for flag in FLAGS.values():
        if flag.option is not None:
            assert flag.default == getattr(defaults, flag.option), flag.name
        if flag.setting is not None and flag.show_default:
            assert flag.default == flag.setting.default(), flag.name
    assert (defaults.max_parallel, defaults.timeout_s) == (config.MAX_PARALLEL.default(), config.TIMEOUT.default())
    assert "(default 2)" in FLAGS["--retries"].help and "(default 5)" in FLAGS["--grace"].help


def test_env_overrides_default_and_flag_overrides_env(tmp_path: Path) -> None:
    env = {"CCDECK_DB": str(tmp_path / "env.db"), "CCDECK_MAX_PARALLEL": "7"}
    cfg = config.Config.resolve(environ=env)
    assert cfg.db.path == tmp_path / "env.db" and cfg.get(config.MAX_PARALLEL) == 7
    flagged = config.Config.resolve(db=tmp_path / "flag.db", overrides={"max_parallel": 3}, environ=env)
    assert flagged.db.path == tmp_path / "flag.db" and flagged.get(config.MAX_PARALLEL) == 3


def test_default_database_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert config.Config.resolve(environ={}).db.path == tmp_path / "ccdeck" / "ccdeck.db"


def test_a_bad_environment_value_is_one_clear_error() -> None:
    with pytest.raises(UsageError, match="CCDECK_MAX_PARALLEL='many'"):
        config.Config.resolve(environ={"CCDECK_MAX_PARALLEL": "many"})


def test_a_flags_help_shows_the_declared_default_and_variable() -> None:
    assert config.PORT.flag_help() == f"{config.PORT.help} (default 8484; env CCDECK_PORT)"
    assert config.POLL.flag_help() == f"{config.POLL.help} (env CCDECK_POLL)"  # a flag's default, off, goes unsaid
    assert config.DB.flag_help(show_default=False) == f"{config.DB.help} (env CCDECK_DB)"
    assert [config.shown(v) for v in (3600.0, 0.1, None, False, "x")] == ["3600", "0.1", "—", "false", "x"]


if __name__ == "__main__":
    README.write_text(rewrite(README.read_text()))
