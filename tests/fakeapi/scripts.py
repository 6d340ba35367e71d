"""Per-task scripts: what the fake model answers, chosen by a marker in the prompt.

A prompt containing `[[fake:NAME]]` or `[[fake:NAME:ARG]]` selects script NAME (ARG is everything up to
`]]`, colons included); a prompt without a marker gets `text` ("ok"). Scripts are functions of the
request (`Call`): the turn comes from the conversation the CLI resends, not from server state, so a
retried call gets the same answer. Only `error` counts calls, per session.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from .messages import Reply, Text, ToolUse, Usage

MARKER_RE = re.compile(r"\[\[fake:([A-Za-z0-9_-]+)(?::(.*?))?\]\]", re.DOTALL)
DEFAULT_SCRIPT = "text"
WRITTEN_CONTENT = "Hello from the fake API!\n"


@dataclass(frozen=True)
class Marker:
    name: str = DEFAULT_SCRIPT
    arg: str | None = None


def find_marker(text: str) -> Marker:
    match = MARKER_RE.search(text)
    if match is None:
        return Marker()
    return Marker(match.group(1), match.group(2))


@dataclass(frozen=True)
class Call:
    """What a script may look at in one `POST /v1/messages`."""

    marker: Marker
    turn: int  # assistant messages since the prompt: 0 on the first model call
    session_call: int  # 1-based number of this request among the session's requests (retries included)
    stream: bool
    cwd: str | None  # from "Primary working directory:" in the request, when present
    last_tool_result: str | None  # text of the newest tool_result, when the last message carries one
    last_tool_error: bool


@dataclass(frozen=True)
class Fail:
    """An HTTP error answer. The CLI obeys `x-should-retry` (even for a 400), so the header is only
    sent when `should_retry` is set; without it the CLI decides by the status, as with the real API."""

    status: int
    message: str | None = None
    retry_after: str | None = None
    should_retry: bool | None = None


@dataclass(frozen=True)
class Stall:
    """Start the stream, send a little text, then go quiet for `seconds` (or until the client leaves)."""

    seconds: float
    text: str = "Thinking very slowly"


@dataclass(frozen=True)
class Drop:
    """Start the stream, then cut the connection; a non-streaming request gets `reply` instead."""

    reply: Reply


Action = Reply | Fail | Stall | Drop
Script = Callable[[Call], Action]


def _text(text: str) -> Reply:
    return Reply((Text(text),), "end_turn")


def _absolute(call: Call, path: str) -> str:
    # The Write tool requires an absolute path: resolve against the session's cwd, as a model would.
    if posixpath.isabs(path) or call.cwd is None:
        return path
    return posixpath.join(call.cwd, path)


def text_script(call: Call) -> Action:
    """`text[:ANSWER]`: answer ANSWER (default "ok") and end the turn."""
    return _text(call.marker.arg or "ok")


def write_file_script(call: Call) -> Action:
    """`write_file[:PATH]`: Write PATH (relative to the session's cwd; default hello.txt), then answer."""
    path = _absolute(call, call.marker.arg or "hello.txt")
    if call.turn == 0:
        write = ToolUse("Write", {"file_path": path, "content": WRITTEN_CONTENT})
        return Reply((Text(f"I'll create {path}."), write), "tool_use")
    return _text("Done: the tool ran successfully." if not call.last_tool_error else "The write failed.")


def bash_script(call: Call) -> Action:
    """`bash[:COMMAND]`: run COMMAND with the Bash tool, then answer with what it printed."""
    command = call.marker.arg or "echo hello from bash"
    if call.turn == 0:
        run = ToolUse("Bash", {"command": command, "description": "Run command"})
        return Reply((Text("I'll run the command."), run), "tool_use")
    # Echo the tool result so a test can see what the command printed (or why it was refused).
    outcome = "failed" if call.last_tool_error else "ran"
    return _text(f"The command {outcome}: {call.last_tool_result or ''}".strip())


def slow_script(call: Call) -> Action:
    """`slow:SECONDS`: answer "ok", but only after SECONDS (default 1) in the middle of the stream."""
    return Reply((Text("ok, slowly"),), "end_turn", delay=float(call.marker.arg or 1))


def gate_script(call: Call) -> Action:
    """`gate:NAME`: answer "ok, released" once the test calls `fake_api.open_gate(NAME)`."""
    return Reply((Text("ok, released"),), "end_turn", gate=call.marker.arg or "default")


def stall_script(call: Call) -> Action:
    """`stall[:SECONDS]`: the stream starts, then nothing for SECONDS (default an hour)."""
    return Stall(float(call.marker.arg or 3600))


def error_script(call: Call) -> Action:
    """`error:STATUS[:N]`: the session's first N requests (default 1) fail with STATUS, then "ok"."""
    status_text, _, count_text = (call.marker.arg or "429").partition(":")
    if call.session_call <= int(count_text or 1):
        return Fail(int(status_text))
    return _text("ok after errors")


def loop_script(call: Call) -> Action:
    """A harmless read-only tool call on every turn, so only --max-turns (or a budget) ends the run."""
    run = ToolUse("Bash", {"command": f"echo turn {call.turn}", "description": "Print the turn"})
    return Reply((Text(f"Turn {call.turn}, once more."), run), "tool_use")


# A prompt well below the auto-compact threshold, but priced far above any small budget.
EXPENSIVE_USAGE = Usage(
    input_tokens=40_000, output_tokens=20_000, cache_creation_input_tokens=100_000, cache_read_input_tokens=0
)


def expensive_script(call: Call) -> Action:
    """Like `loop`, with huge usage: a `--max-budget-usd` limit trips after the first call."""
    loop = loop_script(call)
    assert isinstance(loop, Reply)
    return Reply(loop.blocks, loop.stop_reason, EXPENSIVE_USAGE)


def drop_script(call: Call) -> Action:
    """Every streaming attempt dies mid-stream; the CLI's non-streaming fallback gets `ARG` (or "ok")."""
    return Drop(_text(call.marker.arg or "ok without streaming"))


DEFAULT_SCRIPTS: dict[str, Script] = {
    "text": text_script,
    "write_file": write_file_script,
    "bash": bash_script,
    "slow": slow_script,
    "gate": gate_script,
    "stall": stall_script,
    "error": error_script,
    "loop": loop_script,
    "expensive": expensive_script,
    "drop": drop_script,
}
