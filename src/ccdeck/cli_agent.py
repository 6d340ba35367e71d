"""`ccdeck agent`: ingest this machine's Claude Code files into the (shared) database with no web server
(`live.agent`), and `--print-service`, the systemd user unit that keeps it running.

The unit runs this very executable with the resolved options. A database URL that carries a password goes into the
unit as `Environment=CCDECK_DB=…` rather than on the command line (which every local user can read in `ps`); the
unit file then holds the password, and its comments say to keep it private (chmod 600).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from ccdeck.config import Config
from ccdeck.live.agent import run_agent
from ccdeck.live.machine import MACHINE_ENV, machine_name

UNIT_NAME = "ccdeck-agent.service"
UNIT_PATH = f"~/.config/systemd/user/{UNIT_NAME}"
_BARE = re.compile(r"[A-Za-z0-9_@+=:,./-]+")  # a word systemd takes as it is


def run(cfg: Config, print_service: bool) -> None:
    """Print the unit, or run the agent until SIGINT or SIGTERM (its start line on stdout, flushed at once)."""
    if print_service:
        sys.stdout.write(service_unit(cfg, ccdeck_command(), os.environ))
        return
    machine = machine_name()

    def started() -> None:
        dirs = ", ".join(str(d) for d in cfg.config_dirs) or "no config dir"
        sys.stdout.write(f"ccdeck agent: database {cfg.db}; watching {dirs}; machine {machine}\n")  # masked
        sys.stdout.flush()

    asyncio.run(run_agent(cfg, started))


def ccdeck_command() -> list[str]:
    """How to start this ccdeck again: its console script when that is what runs, else this Python with `-m`."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "ccdeck" and script.is_file():
        return [str(script.absolute())]
    return [sys.executable, "-m", "ccdeck"]


def service_unit(cfg: Config, command: Sequence[str], environ: Mapping[str, str]) -> str:
    """A systemd user unit running `command agent` with `cfg`'s database and config dirs."""
    db = cfg.db.resolved().argument()  # the password included: the unit must reach the database
    secret = cfg.db.url is not None and urlsplit(db).password is not None
    args = [*command, "agent", *([] if secret else ["--db", db])]
    for folder in cfg.config_dirs:
        args += ["--config-dir", str(folder.absolute())]
    env = {"CCDECK_DB": db} if secret else {}
    if environ.get(MACHINE_ENV):
        env[MACHINE_ENV] = environ[MACHINE_ENV]
    lines = [
        "# ccdeck agent: this machine's Claude Code sessions into the shared database.",
        f"# Install: ccdeck agent --print-service > {UNIT_PATH}",
        *([f"#          chmod 600 {UNIT_PATH}   (it holds the database password)"] if secret else []),
        "#          systemctl --user daemon-reload && systemctl --user enable --now ccdeck-agent",
        "[Unit]",
        f"Description=ccdeck agent ({_escape(str(cfg.db))})",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        f"ExecStart={' '.join(_quote(arg, dollars=True) for arg in args)}",
        *(f"Environment={_quote(f'{name}={value}', dollars=False)}" for name, value in env.items()),
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=default.target",
    ]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """`%` starts a systemd specifier in every setting: `%%` is a plain one."""
    return text.replace("%", "%%")


def _quote(word: str, *, dollars: bool) -> str:
    """One word as systemd reads it back: bare when it can be, else double-quoted with C escapes; `$` is doubled
    where systemd expands variables (ExecStart=), `%` everywhere."""
    text = _escape(word.replace("$", "$$") if dollars else word)
    if _BARE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
