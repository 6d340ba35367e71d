"""A session's state from what its transcript last said, how long ago, and whether its process lives.

- `working`: the last line awaits the model or a tool (a prompt, a tool call, a tool result), or the live
  registry says `busy`;
- `waiting`: the model answered and the process lives: the user's turn;
- `idle`: the process lives but nothing happened for `idle_after` seconds;
- `ended`: the process is gone (or, with no process information, nothing happened for `idle_after`).
"""

from __future__ import annotations

from typing import Literal

State = Literal["working", "waiting", "idle", "ended"]
STATES: tuple[State, ...] = ("working", "waiting", "idle", "ended")
ACTIVE_STATES: frozenset[State] = frozenset({"working", "waiting", "idle"})
_BUSY_KINDS = frozenset({"prompt", "tool_use", "tool_result", "thinking"})


def session_state(
    last_kind: str | None,
    last_activity: float | None,
    now: float,
    idle_after: float,
    alive: bool | None,
    registry_status: str | None = None,
) -> State:
    """`alive` is True/False when the process is known to live or not, None when nothing says."""
    quiet = last_activity is None or now - last_activity > idle_after
    if alive is False:
        return "ended"
    if alive is None:
        if quiet:
            return "ended"
        return "working" if last_kind in _BUSY_KINDS else "waiting"
    if registry_status == "busy":
        return "working"
    if quiet:
        return "idle"
    return "working" if last_kind in _BUSY_KINDS else "waiting"
