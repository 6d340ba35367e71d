"""Running the real Claude Code CLI against the fake API, isolated from the machine's own setup."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

CLAUDE_BIN_ENV = "CCDECK_TEST_CLAUDE_BIN"
PINNED_VERSION = "2.1.330"
DEFAULT_CLAUDE_BIN = (
    Path.home() / ".cache" / "ccdeck" / f"claude-code-{PINNED_VERSION}" / "node_modules" / ".bin" / "claude"
)

# The CLI's own and inherited settings that would leak the developer's setup (or a parent Claude Code
# session, which sets CLAUDECODE) into a test run.
_DROPPED_PREFIXES = ("ANTHROPIC_", "CLAUDE", "XDG_", "AWS_", "GOOGLE_", "VERTEX_", "OTEL_")
_DROPPED_NAMES = {"IS_SANDBOX", "DISABLE_TELEMETRY", "DISABLE_AUTOUPDATER", "DEBUG", "NODE_OPTIONS"}
# A proxy from the environment would be asked for 127.0.0.1 too: the fake is always direct.
_DROPPED_NAMES |= {f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "http", "https", "all")}


def find_claude_bin() -> Path | None:
    """`$CCDECK_TEST_CLAUDE_BIN` (exported by the Makefile), else the Makefile's install location."""
    configured = os.environ.get(CLAUDE_BIN_ENV)
    path = Path(configured) if configured else DEFAULT_CLAUDE_BIN
    return path if path.is_file() and os.access(path, os.X_OK) else None


def encode_project_dir(cwd: str | Path) -> str:
    """The directory name Claude Code files a cwd's transcripts under (see the reference, section 1)."""
    encoded = re.sub(r"[^A-Za-z0-9]", "-", str(cwd))
    if len(encoded) <= 200:
        return encoded
    raise ValueError("cwd too long for this helper: the CLI appends a hash past 200 characters")


@dataclass
class ClaudeSandbox:
    """Own config dir, HOME, TMPDIR and working directory for one test."""

    root: Path
    config_dir: Path
    home: Path
    tmp: Path
    cwd: Path

    @classmethod
    def create(cls, root: Path, short_tmp_parent: Path | None = None) -> ClaudeSandbox:
        # TMPDIR holds the CLI's unix socket (`cc-socks/<pid>.sock`), whose path must stay under the
        # 108-byte limit (past it the CLI silently falls back to a /tmp directory shared by every run):
        # a short directory of its own, not one under pytest's long tmp_path.
        tmp = Path(tempfile.mkdtemp(prefix="cc-", dir=short_tmp_parent))
        sandbox = cls(root, root / "claude-config", root / "home", tmp, root / "work")
        for path in (sandbox.config_dir, sandbox.home, sandbox.cwd):
            path.mkdir(parents=True, exist_ok=True)
        return sandbox

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, base_url: str, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED_NAMES}
        env.update(
            HOME=str(self.home),
            TMPDIR=str(self.tmp),
            CLAUDE_CONFIG_DIR=str(self.config_dir),
            ANTHROPIC_API_KEY="sk-ant-fake-key",
            ANTHROPIC_BASE_URL=base_url,
            DISABLE_TELEMETRY="1",
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
            DISABLE_AUTOUPDATER="1",
        )
        if os.geteuid() == 0:
            # As root the CLI refuses bypassPermissions unless it is told it runs in a sandbox.
            env["IS_SANDBOX"] = "1"
        for key, value in (extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def project_dir(self, cwd: Path | None = None) -> Path:
        return self.config_dir / "projects" / encode_project_dir((cwd or self.cwd).resolve())

    def transcript(self, session_id: str, cwd: Path | None = None) -> Path:
        return self.project_dir(cwd) / f"{session_id}.jsonl"


def headless_args(session_id: str, *, permission_mode: str = "acceptEdits", extra: Sequence[str] = ()) -> list[str]:
    """The flags `ccdeck run` gives each child: prompt on stdin, one JSON event per line."""
    return [
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--session-id",
        session_id,
        "--permission-mode",
        permission_mode,
        *extra,
    ]


@dataclass
class CliResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    session_id: str

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        """stdout's JSON lines; anything else on stdout would be a CLI bug, so it raises."""
        return [orjson.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def of_type(self, type_: str, subtype: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == type_ and (subtype is None or e.get("subtype") == subtype)]

    @property
    def init(self) -> dict[str, Any] | None:
        found = self.of_type("system", "init")
        return found[0] if found else None

    @property
    def result(self) -> dict[str, Any] | None:
        found = self.of_type("result")
        return found[-1] if found else None

    def describe(self) -> str:
        """For assertion messages: what the run did, briefly."""
        head = f"rc={self.returncode} in {self.duration:.1f}s"
        return f"{head}\nstdout:\n{self.stdout[-3000:]}\nstderr:\n{self.stderr[-2000:]}"


def _process_group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # Fields after the parenthesised command: state, ppid, pgrp, …
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def group_alive(pgid: int) -> bool:
    return bool(_process_group_members(pgid))


def group_running(proc: subprocess.Popen[str]) -> bool:
    """Whether the group `proc` leads (`start_new_session`) still has live members. Once `proc` is reaped, its pid
    stays taken while its group has members; when the pid is in use again, the group is gone and the pid now
    belongs to somebody else (with pids wrapping at 32768, another test's CLI): never signal that one."""
    if proc.poll() is None:
        return True
    return not Path(f"/proc/{proc.pid}").exists() and group_alive(proc.pid)


def stop_group(proc: subprocess.Popen[str], *, sigint_wait: float = 3.0, sigterm_wait: float = 3.0) -> int:
    """Stop a CLI started in its own process group: SIGINT (it ends the turn and prints a result),
    then SIGTERM, then SIGKILL, each to the whole group so tool children go too. Returns the exit code."""
    pgid = proc.pid  # start_new_session=True made the child its group's leader
    for sig, wait in ((signal.SIGINT, sigint_wait), (signal.SIGTERM, sigterm_wait), (signal.SIGKILL, 5.0)):
        if not group_running(proc):
            break
        deadline = time.monotonic() + wait
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
        while group_running(proc) and time.monotonic() < deadline:
            time.sleep(0.05)
    return proc.wait()


@dataclass
class ClaudeRunner:
    """The CLI bound to a sandbox and a fake API: what most tests need."""

    bin: Path
    sandbox: ClaudeSandbox
    base_url: str
    env_overrides: dict[str, str | None] = field(default_factory=dict)
    started: list[subprocess.Popen[str]] = field(default_factory=list)

    def env(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
        return self.sandbox.env(self.base_url, {**self.env_overrides, **(extra or {})})

    def start(
        self,
        args: Sequence[str],
        *,
        prompt: str | None = None,
        env: Mapping[str, str | None] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[str]:
        """Start the CLI in its own process group (signal it with `stop_group`), prompt on stdin."""
        proc = subprocess.Popen(
            [str(self.bin), *args],
            cwd=cwd or self.sandbox.cwd,
            env=self.env(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.started.append(proc)
        assert proc.stdin is not None
        try:
            if prompt is not None:
                proc.stdin.write(prompt)
            proc.stdin.close()
        except BaseException:
            # An orphaned CLI would keep retrying a vanished API for minutes.
            stop_group(proc, sigint_wait=0.5, sigterm_wait=1.0)
            raise
        proc.stdin = None  # so communicate() leaves the closed pipe alone
        return proc

    def run(
        self,
        prompt: str,
        *args: str,
        session_id: str | None = None,
        permission_mode: str = "acceptEdits",
        env: Mapping[str, str | None] | None = None,
        cwd: Path | None = None,
        timeout: float = 30.0,
    ) -> CliResult:
        """One headless run to completion (`headless_args` plus `args`); killed after `timeout`."""
        session_id = session_id or str(uuid.uuid4())
        argv = headless_args(session_id, permission_mode=permission_mode, extra=args)
        started = time.monotonic()
        proc = self.start(argv, prompt=prompt, env=env, cwd=cwd)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_group(proc, sigint_wait=1.0, sigterm_wait=1.0)
            stdout, stderr = proc.communicate()
            raise TimeoutError(f"claude did not finish in {timeout}s\nstdout:\n{stdout}\nstderr:\n{stderr}") from None
        return CliResult(argv, proc.returncode, stdout, stderr, time.monotonic() - started, session_id)

    def close(self) -> None:
        """Stop whatever this runner started and is still running (tool children included)."""
        for proc in self.started:
            if group_running(proc):
                stop_group(proc, sigint_wait=1.0, sigterm_wait=1.0)
            proc.communicate()
        self.started.clear()
