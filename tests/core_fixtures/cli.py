"""ccdeck's command line, in-process or as a child process, and the real Claude Code CLI writing transcripts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from ccdeck.cli import main
from fakeapi import ClaudeRunner

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
CCDECK = VENV_BIN / "ccdeck"
PYTHON = VENV_BIN / "python"


def run_env() -> dict[str, str]:
    """Environment for a ccdeck child process: no inherited config dir, no terminal width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCDECK_", "CLAUDE_"))}
    env.pop("COLUMNS", None)
    return env


def run_cli(capsys: Any, *args: str | Path) -> tuple[int, str, str]:
    """`ccdeck.cli.main` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def dir_args(config: Path, tmp_path: Path) -> list[str | Path]:
    """The options of a command reading `config` into the database `db.sqlite` of the test's `tmp_path`."""
    return ["--config-dir", config, "--db", tmp_path / "db.sqlite"]


def cli_json(capsys: Any, *args: str | Path) -> Any:
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 0, err
    return orjson.loads(out)


# A reply, a file written, a command run: each a session of the real CLI against the fake API.
CLI_PROMPTS = ("Say something.", "Create it. [[fake:write_file:notes/hello.txt]]", "Run it. [[fake:bash:echo hi]]")
# Every request refused with 429 and one retry: the CLI gives up and writes a `<synthetic>` error message.
RATE_LIMITED_PROMPT = "[[fake:error:429:9]]"
RATE_LIMITED_ENV = {"CLAUDE_CODE_MAX_RETRIES": "1"}


def cli_transcripts(claude: ClaudeRunner, prompts: Sequence[str] = CLI_PROMPTS, **options: Any) -> Path:
    """Run the real CLI once per prompt (against the fake API); returns its config dir, with the transcripts it
    wrote. `options` go to `ClaudeRunner.run` (e.g. `env`)."""
    for prompt in prompts:
        claude.run(prompt, **options)
    return claude.sandbox.config_dir
