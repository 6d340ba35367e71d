"""Each setting is declared once; the README's table is generated from the declarations and must match them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdeck import config
from ccdeck.errors import UsageError

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_settings_table_matches_the_declarations() -> None:
    assert config.settings_markdown() in README.read_text(), (
        "README's settings table is stale: paste `python -c 'from ccdeck.config import settings_markdown; "
        "print(settings_markdown())'`"
    )


def test_env_overrides_default_and_flag_overrides_env(tmp_path: Path) -> None:
    env = {"CCDECK_DB": str(tmp_path / "env.db"), "CCDECK_MAX_PARALLEL": "7"}
    cfg = config.Config.resolve(environ=env)
    assert cfg.db == tmp_path / "env.db" and cfg.get(config.MAX_PARALLEL) == 7
    flagged = config.Config.resolve(db=tmp_path / "flag.db", overrides={"max_parallel": 3}, environ=env)
    assert flagged.db == tmp_path / "flag.db" and flagged.get(config.MAX_PARALLEL) == 3


def test_default_database_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert config.Config.resolve(environ={}).db == tmp_path / "ccdeck" / "ccdeck.db"


def test_a_bad_environment_value_is_one_clear_error() -> None:
    with pytest.raises(UsageError, match="CCDECK_MAX_PARALLEL='many'"):
        config.Config.resolve(environ={"CCDECK_MAX_PARALLEL": "many"})
