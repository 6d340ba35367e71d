"""One attempt's process, with fake `claude` scripts for the edges the real CLI cannot be made to show on
demand: lines far past 64 KiB, a last line without newline, processes left behind in the group, and a child
that ignores SIGINT and SIGTERM. (The real CLI's behaviours are in test_launch.py.)"""

from __future__ import annotations

import asyncio
import stat
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from ccdeck.claude.integration import HOOK_EVENTS
from ccdeck.orchestrator import procs
from ccdeck.orchestrator.child import Child, child_env, claude_argv
from ccdeck.orchestrator.spec import RunOptions, TaskSpec
from ccdeck.pids import same_process

SPEC = TaskSpec(id="t", prompt="hi", cwd="/", timeout_s=10, permission_mode="acceptEdits")


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "fake-claude"
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def child(tmp_path: Path, exe: Path, prompt: str = "hello") -> tuple[Child, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    made = Child([str(exe)], {"PATH": "/usr/bin:/bin"}, str(tmp_path), prompt, tmp_path / "t.jsonl",
                 tmp_path / "t.stderr", events.append)  # fmt: skip
    return made, events


def test_command_line_and_environment() -> None:
    spec = TaskSpec(id="t", prompt="secret prompt", cwd="/", timeout_s=5, permission_mode="bypassPermissions",
                    model="opus", budget_usd=0.5, max_turns=3, allowed_tools=("Read", "Bash(git *)"),
                    env={"EXTRA": "1"})  # fmt: skip
    argv = claude_argv("/bin/claude", spec, "sid")
    assert argv == ["/bin/claude", "-p", "--output-format", "stream-json", "--verbose", "--session-id", "sid",
                    "--model", "opus", "--max-budget-usd", "0.5", "--max-turns", "3",
                    "--permission-mode", "bypassPermissions", "--allowedTools", "Read,Bash(git *)"]  # fmt: skip
    assert "secret prompt" not in " ".join(argv)
    base = {"PATH": "/bin", "CLAUDECODE": "1", "IS_SANDBOX": "1"}
    assert child_env(spec, base, is_root=True) == {"PATH": "/bin", "IS_SANDBOX": "1", "EXTRA": "1"}
    assert child_env(spec, base, is_root=False) == {"PATH": "/bin", "EXTRA": "1"}
    accept = TaskSpec(id="t", prompt="p", cwd="/", timeout_s=5, permission_mode="acceptEdits")
    assert child_env(accept, base, is_root=True) == {"PATH": "/bin"}
    assert claude_argv("claude", accept, "s")[-2:] == ["--permission-mode", "acceptEdits"]


def test_hooks_go_on_the_command_line_as_settings_json() -> None:
    options = RunOptions(hooks_url="http://127.0.0.1:8484/api/hooks")
    argv = claude_argv("claude", SPEC, "s", options.hooks_settings())
    assert argv[-2] == "--settings" and argv.count("--settings") == 1
    hooks = orjson.loads(argv[-1])["hooks"]
    assert set(hooks) == set(HOOK_EVENTS)
    assert hooks["PermissionRequest"] == [{"hooks": [{"type": "http", "url": "http://127.0.0.1:8484/api/hooks",
                                                      "timeout": 2}]}]  # fmt: skip
    with_token = RunOptions(hooks_url="http://10.0.0.2:8484/api/hooks", hooks_token=True).hooks_settings()
    assert with_token is not None and "Bearer $CCDECK_TOKEN" in with_token and "allowedEnvVars" in with_token
    assert RunOptions().hooks_settings() is None
    assert "--settings" not in claude_argv("claude", SPEC, "s", RunOptions().hooks_settings())


def test_long_lines_stdin_prompt_and_stderr_apart(tmp_path: Path) -> None:
    exe = script(
        tmp_path,
        """
import json, sys
prompt = sys.stdin.read()
print(json.dumps({"type": "system", "subtype": "init", "session_id": "s1", "model": "m"}), flush=True)
sys.stderr.write("a warning on stderr\\n")
big = {"type": "user", "message": {"content": [{"type": "tool_result", "content": "x" * 300000}]}}
sys.stdout.write(json.dumps(big) + "\\n")
sys.stdout.write("not json at all\\n")
sys.stdout.write(json.dumps({"type": "result", "subtype": "success", "is_error": False, "result": prompt}))
""",
    )
    made, events = child(tmp_path, exe, prompt="the prompt, " * 10_000)

    async def go() -> None:
        await made.start()
        assert await made.wait_exit(10)
        await made.finish()

    asyncio.run(go())
    assert made.exit_code == 0
    assert [e["type"] for e in events] == ["system", "user", "result"]
    assert len(events[1]["message"]["content"][0]["content"]) == 300_000
    assert events[2]["result"] == "the prompt, " * 10_000  # all of it came through stdin, none through argv
    assert made.bad_lines == 1
    raw = (tmp_path / "t.jsonl").read_bytes()
    assert raw.count(b"\n") == 3 and raw.endswith(b"}")  # byte for byte, last line without newline included
    assert orjson.loads(raw.splitlines()[-1])["type"] == "result"
    assert (tmp_path / "t.stderr").read_text() == "a warning on stderr\n"
    assert made.stderr_tail() == "a warning on stderr"


def test_processes_left_in_the_group_are_ended(tmp_path: Path) -> None:
    exe = script(
        tmp_path,
        """
import subprocess, sys, json
subprocess.Popen(["sleep", "300"], stdout=sys.stdout)  # keeps stdout open, in our group
print(json.dumps({"type": "result", "subtype": "success", "is_error": False}), flush=True)
""",
    )
    made, events = child(tmp_path, exe)

    async def go() -> float:
        await made.start()
        assert await made.wait_exit(10)
        started = time.monotonic()
        await made.finish()
        return time.monotonic() - started

    seconds = asyncio.run(go())
    assert events[-1]["type"] == "result"
    assert not procs.group_alive(made.pid)
    assert seconds < 5


def test_stubborn_child_is_killed_after_sigint_and_sigterm(tmp_path: Path) -> None:
    exe = script(
        tmp_path,
        """
import signal, subprocess, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen(["sleep", "300"])
print('{"type": "system", "subtype": "init", "session_id": "s"}', flush=True)
while True:
    time.sleep(1)
""",
    )
    made, events = child(tmp_path, exe)

    async def go() -> float:
        await made.start()
        assert not await made.wait_exit(1.0)
        started = time.monotonic()
        await made.terminate(grace=0.5)
        await made.finish()
        return time.monotonic() - started

    seconds = asyncio.run(go())
    assert made.exit_code == -9
    assert not procs.group_alive(made.pid)
    # Not before the grace and the SIGTERM wait; then SIGKILL, not another wait (the child ignores SIGTERM and would
    # run forever: the generous bound only tells a kill from a hang).
    assert 0.5 + 3.0 <= seconds < 30
    assert events == [{"type": "system", "subtype": "init", "session_id": "s"}]


def test_a_pid_is_only_ours_with_its_start_time(tmp_path: Path) -> None:
    exe = script(tmp_path, "import time\ntime.sleep(30)\n")
    made, _ = child(tmp_path, exe)

    async def go() -> None:
        await made.start()
        assert same_process(made.pid, made.started_at)
        assert procs.group_of_ours(made.pid, made.started_at)
        assert not same_process(made.pid, made.started_at - 60)  # a reused pid: another process
        assert not procs.stop_task_blocking(made.pid, made.started_at - 60, grace=0.1)
        assert procs.stop_task_blocking(made.pid, made.started_at, grace=2.0)
        assert await made.wait_exit(5)
        await made.finish()

    asyncio.run(go())
    assert not procs.group_alive(made.pid)
