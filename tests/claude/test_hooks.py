"""Hook payloads as Claude Code 2.1.330 POSTs them (recorded, one per event), and hostile ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck.claude.hooks import TEXT_CHARS, BadHook, parse_hook

RECORDED: dict[str, Any] = orjson.loads((Path(__file__).parents[1] / "live/data/hook_payloads.json").read_bytes())


@pytest.mark.parametrize(
    ("event", "state", "blocked_on", "doing"),
    [
        ("UserPromptSubmit", "working", None, None),
        ("PreToolUse:Write", "working", None, "Write: /home/dev/runs/t134/home/dev/work/a.txt"),
        ("PreToolUse:Bash", "working", None, "Bash: sleep 4; echo slept"),
        ("PermissionRequest:Write", "blocked", "approve Write: /home/dev/runs/t134/home/dev/work/a.txt", None),
        ("PermissionRequest:AskUserQuestion", "blocked", "input needed: Pick a colour?", None),
        ("Notification:permission_prompt", "blocked", "permission prompt", None),
        ("PostToolUse:Write", "working", None, None),
        ("Stop", "waiting", None, None),
        ("StopFailure", "waiting", None, None),
        ("SubagentStart", "working", None, None),
        ("SessionEnd", "ended", None, None),
        ("Notification:idle_prompt", None, None, None),
    ],
)
def test_each_recorded_event_says_what_it_means(
    event: str, state: str | None, blocked_on: str | None, doing: str | None
) -> None:
    payload = RECORDED[event]
    signal = parse_hook(payload)
    assert signal.session_id == payload["session_id"]
    assert (signal.state, signal.blocked_on, signal.doing) == (state, blocked_on, doing)


def test_paths_in_the_session_folder_are_shown_relative_to_it() -> None:
    payload = {**RECORDED["PermissionRequest:Write"], "cwd": "/home/dev/runs/t134/home/dev/work"}
    assert parse_hook(payload).blocked_on == "approve Write: a.txt"


def test_stop_keeps_the_last_answer_and_stop_failure_its_error() -> None:
    assert parse_hook(RECORDED["Stop"]).last_answer == "Done: the tool ran successfully."
    failure = parse_hook(RECORDED["StopFailure"])
    assert failure.failure == "server_error"
    assert failure.last_answer is not None and failure.last_answer.startswith("API Error: 500")


def test_long_texts_are_cut() -> None:
    payload = {**RECORDED["PreToolUse:Bash"], "tool_input": {"command": "x" * 10_000}}
    doing = parse_hook(payload).doing
    assert doing is not None and len(doing) == TEXT_CHARS and doing.endswith("…")


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "Stop",
        {"hook_event_name": "Stop"},
        {"session_id": "../../etc/passwd", "hook_event_name": "Stop"},
        {"session_id": "a" * 200, "hook_event_name": "Stop"},
        {"session_id": 12, "hook_event_name": "Stop"},
        {"session_id": "abc", "hook_event_name": "Stop; rm -rf /"},
        {"session_id": "abc"},
    ],
)
def test_malformed_payloads_are_refused(payload: object) -> None:
    with pytest.raises(BadHook):
        parse_hook(payload)


def test_unknown_events_and_odd_fields_are_harmless() -> None:
    signal = parse_hook({"session_id": "abc", "hook_event_name": "FutureEvent", "cwd": 7, "tool_input": "x"})
    assert (signal.state, signal.cwd) == (None, None)
    odd = parse_hook({"session_id": "abc", "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": []})
    assert odd.doing == "Bash"
