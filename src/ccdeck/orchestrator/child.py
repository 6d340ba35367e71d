"""One attempt of one task: a `claude -p` process in its own process group, driven from asyncio.

The prompt goes to stdin (never argv: no length limit, not visible in `ps`). stdout is copied byte for byte to
`<task>.jsonl` and parsed line by line with no line-length limit; stderr goes to `<task>.stderr`, never into the
stream. The process is started with `subprocess.Popen` rather than asyncio's subprocess API because on
Python 3.11 asyncio's `wait()` also waits for every pipe to close, and a tool's background process that keeps
stdout open would hide the CLI's exit; here the exit is seen through a pidfd.

Stopping follows the house rule: SIGINT to the group (the CLI ends its turn and usually prints a result),
a grace period, SIGTERM, a wait, SIGKILL; each step logged, and nothing of the group left at the end. Each step
also reaches the task's strays: processes that left the group (`setsid`) but carry its `CCDECK_TASK` marker
(`procs.strays`). When the CLI ends by itself, what it leaves behind, in its group or astray, is ended too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import IO, Any

import orjson
import psutil

from ccdeck.orchestrator import ladder, procs, waits
from ccdeck.orchestrator.spec import TaskSpec
from ccdeck.orchestrator.stream import STREAM_BUFFER_BYTES, StreamReader
from ccdeck.pids import start_time

log = logging.getLogger(__name__)

STDOUT_DRAIN_SECONDS = 2.0  # stdout held open by a process outside the group: give up on it after this
STDERR_TAIL_BYTES = 4096


def claude_argv(claude_bin: str, spec: TaskSpec, session_id: str, settings: str | None = None) -> list[str]:
    """The command line of one attempt (the prompt is not in it: it goes to stdin). `settings` is JSON for
    `--settings` (ccdeck's hooks): the CLI takes one `--settings` (a second replaces the first) and merges it with
    the settings files, whose identical hooks it runs once."""
    argv = [claude_bin, "-p", "--output-format", "stream-json", "--verbose", "--session-id", session_id]
    if spec.model:
        argv += ["--model", spec.model]
    if spec.budget_usd is not None:
        argv += ["--max-budget-usd", f"{spec.budget_usd:g}"]
    if spec.max_turns is not None:
        argv += ["--max-turns", str(spec.max_turns)]
    argv += ["--permission-mode", spec.permission_mode]
    if spec.allowed_tools:
        argv += ["--allowedTools", ",".join(spec.allowed_tools)]
    if settings is not None:
        argv += ["--settings", settings]
    return argv


def child_env(
    spec: TaskSpec, base: Mapping[str, str], *, marker: str | None = None, is_root: bool | None = None
) -> dict[str, str]:
    """The environment of one attempt: ours, without what would mislead the CLI, plus the task's own, plus
    `CCDECK_TASK=<marker>`, by which the task's processes are found wherever they went (`procs.strays`)."""
    env = {k: v for k, v in base.items() if k not in ("CLAUDECODE", "IS_SANDBOX")}
    # As root the CLI refuses bypassPermissions unless told it runs in a sandbox; say so only when that
    # mode was asked for (the default mode is acceptEdits, so it was asked for explicitly).
    root = os.geteuid() == 0 if is_root is None else is_root
    if root and spec.permission_mode == "bypassPermissions":
        env["IS_SANDBOX"] = "1"
    env.update(spec.env)
    if marker is not None:
        env[procs.MARKER_VARIABLE] = marker  # last: neither our own environment nor the task's overrides it
    return env


class Child:
    """One `claude -p` process. `start()`, then `wait(timeout)`; `terminate()` to stop it early."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        cwd: str,
        prompt: str,
        stream_path: Path,
        stderr_path: Path,
        on_event: Callable[[dict[str, Any]], None],
        *,
        strays_in_descendants: bool = True,
    ) -> None:
        self.argv, self.env, self.cwd, self.prompt = argv, dict(env), cwd, prompt
        self.marker = self.env.get(procs.MARKER_VARIABLE)
        self.strays_in_descendants = strays_in_descendants  # False when we are no subreaper: look everywhere
        self.stream_path, self.stderr_path = stream_path, stderr_path
        self.on_event = on_event
        self.pid = 0
        self.started_at = 0.0  # the process's own start time (psutil), recorded with the pid
        self.exit_code: int | None = None
        self.spawned_at: float | None = None  # when the process existed (fork and exec done)
        self.exited_at: float | None = None  # when the exit was seen
        self.bad_lines = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._exited = asyncio.Event()
        self._reader: StreamReader | None = None
        self._transport: asyncio.ReadTransport | None = None
        self._files: list[IO[bytes]] = []
        self._stderr_from = 0  # this attempt's part of the stderr log (earlier attempts append to it too)

    async def start(self) -> None:
        """Spawn the process (in a thread: fork and exec take milliseconds) and hand it the prompt."""
        self.stream_path.parent.mkdir(parents=True, exist_ok=True)
        stream = self.stream_path.open("ab", buffering=STREAM_BUFFER_BYTES)
        stderr = self.stderr_path.open("ab", buffering=0)
        self._files = [stream, stderr]
        self._stderr_from = stderr.tell()
        try:
            self._proc = await asyncio.to_thread(self._spawn, stderr)
        except OSError:
            self._close_files()
            raise
        self.spawned_at = time.time()
        self.pid = self._proc.pid
        self.started_at = start_time(self.pid) or self.spawned_at
        loop = asyncio.get_running_loop()
        assert self._proc.stdout is not None
        self._transport, self._reader = await loop.connect_read_pipe(
            lambda: StreamReader(stream, self._line), self._proc.stdout
        )
        self._watch_exit(loop)
        await asyncio.to_thread(self._send_prompt)

    def _spawn(self, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=self.cwd,
            env=self.env,
            start_new_session=True,  # its own session and process group, away from our terminal's Ctrl-C
            close_fds=True,
        )

    def _send_prompt(self) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(self.prompt.encode())
        except BrokenPipeError:
            log.info("pid %d closed stdin before reading the whole prompt", self.pid)
        finally:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()

    def _line(self, line: bytes) -> None:
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            self.bad_lines += 1
            log.warning("pid %d: stdout line that is not JSON (%d bytes): %.120r", self.pid, len(line), line)
            return
        if isinstance(event, dict):
            self.on_event(event)

    def _watch_exit(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # not Linux, or a kernel before 5.3: a thread waits instead
            loop.create_task(self._wait_in_thread())
            return

        def exited() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            self._reap()

        loop.add_reader(pidfd, exited)

    async def _wait_in_thread(self) -> None:
        assert self._proc is not None
        await asyncio.to_thread(self._proc.wait)
        self._reap()

    def _reap(self) -> None:
        assert self._proc is not None
        self.exit_code = self._proc.wait()
        self.exited_at = time.time()
        self._exited.set()

    @property
    def running(self) -> bool:
        return not self._exited.is_set()

    async def wait_exit(self, timeout: float | None) -> bool:
        """Wait for the CLI itself to exit; False when `timeout` passed first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._exited.wait(), timeout)
        return self._exited.is_set()

    async def terminate(self, grace: float) -> None:
        """SIGINT, `grace` seconds, SIGTERM, a wait, SIGKILL: each to the whole group and the task's strays, until
        nothing is left."""
        await self._ladder(ladder.stop_steps(grace), "stopping")

    async def _ladder(self, steps: tuple[ladder.Step, ...], why: str) -> None:
        """Climb `steps`; the scans of /proc (the group's members, strays) run in a thread, off the loop."""
        for step in steps:
            strays, group_alive = await asyncio.to_thread(self._look)
            if not self.running and not strays and not group_alive:
                return
            log.info("pid %d (%s): %s to its process group%s", self.pid, why, step.signal.name,
                     f" and {len(strays)} stray(s)" if strays else "")  # fmt: skip
            if group_alive:
                procs.signal_group(self.pid, step.signal)
            procs.signal_strays(strays, step.signal)
            if await self._gone_within(step.wait, strays):
                return
        left, strays = await asyncio.to_thread(lambda: (procs.group_members(self.pid), self._strays()))
        log.error("pid %d: process group %d still has %s (and strays %s) after SIGKILL", self.pid, self.pid,
                  left, [p.pid for p in strays])  # fmt: skip

    def _look(self) -> tuple[list[psutil.Process], bool]:
        """(the task's strays, whether its group has live members): in a thread, it scans /proc. Once the CLI is
        reaped, its pid may lead another group: `group_left_by` tells."""
        group = procs.group_alive(self.pid) if self.running else procs.group_left_by(self.pid)
        return self._strays(), group

    def _strays(self) -> list[psutil.Process]:
        if self.marker is None or not self.pid:
            return []
        return procs.strays(self.pid, self.marker, self.started_at, descendants_only=self.strays_in_descendants)

    async def _gone_within(self, seconds: float, strays: list[psutil.Process]) -> bool:
        """Whether the CLI, its group and `strays` are all gone within `seconds`: the CLI's exit is awaited through
        its pidfd, then what is left is waited for through theirs (`waits`), never by polling on the loop."""
        deadline = time.monotonic() + seconds
        if not await self.wait_exit(seconds):
            return False
        if not await waits.wait_gone_async(partial(procs.still_there, self.pid, strays), deadline - time.monotonic()):
            return False
        return not await asyncio.to_thread(self._strays)  # a stray started meanwhile: the next step reaches it

    async def finish(self) -> None:
        """After the CLI exited: end what it left behind (in its group or astray), read stdout to its end, close
        the logs."""
        await self._ladder(ladder.leftover_steps(), "exited, ending what it left")
        if self._reader is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._reader.closed), STDOUT_DRAIN_SECONDS)
            except TimeoutError:
                log.warning("pid %d: stdout still open after the process group ended; not read further", self.pid)
        if self._transport is not None:
            self._transport.close()
        self._close_files()

    def _close_files(self) -> None:
        for file in self._files:
            file.close()
        self._files = []

    def stderr_tail(self) -> str:
        """The last non-empty line of this task's stderr log, for a failure's one-line reason."""
        try:
            with self.stderr_path.open("rb") as fh:
                fh.seek(max(self._stderr_from, self.stderr_path.stat().st_size - STDERR_TAIL_BYTES))
                lines = fh.read().decode(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1].strip() if lines else ""
