"""A session's state, from Claude Code's own live signals where it publishes them, else from its transcript.

- `working`: the model or a tool is at work (registry `busy`, a job `active`, a prompt or tool hook; without live
  signals: the last transcript line awaits the model or a tool);
- `blocked`: it needs the user's approval or answer (registry `waiting` + `waitingFor`, a job `blocked` + `needs`, a
  `PermissionRequest` hook), with `blocked_on` saying what;
- `waiting`: the model answered: the user's turn;
- `idle`: still waiting after `idle_after` seconds;
- `ended`: the process is gone (or, with no process information, nothing happened for `idle_after`).

Live signals are combined by recency: the newest one decides the state; while blocked, the most precise description
among the blocking signals since the last other one is kept ("approve Write: src/app.py" over "permission prompt").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from ccdeck.shapes.common import SessionState

State = SessionState
SignalState = Literal["working", "blocked", "waiting", "ended"]
STATES: tuple[State, ...] = get_args(State)
ACTIVE_STATES: frozenset[State] = frozenset({"working", "blocked", "waiting", "idle"})
_BUSY_KINDS = frozenset({"prompt", "tool_use", "tool_result", "thinking"})


@dataclass(frozen=True, slots=True)
class Signal:
    """One source's latest word on a session, and since when (epoch seconds)."""

    state: SignalState
    at: float
    blocked_on: str | None = None
    precision: int = 0  # how precise `blocked_on` is: a job's `needs` > a hook's tool > the registry's reason


@dataclass(frozen=True, slots=True)
class Decision:
    state: State
    since: float | None
    blocked_on: str | None = None


def decide(signals: Sequence[Signal], now: float, idle_after: float, cleared_at: float = 0.0) -> Decision | None:
    """The state the newest live signal gives; None when there is none. `cleared_at` is the last time any source
    said something other than blocked: blocking signals older than that were answered."""
    if not signals:
        return None
    latest = max(signals, key=lambda s: s.at)
    if latest.state == "waiting" and now - latest.at >= idle_after:
        return Decision("idle", latest.at + idle_after)
    if latest.state != "blocked":
        return Decision(latest.state, latest.at)
    current = [s for s in signals if s.state == "blocked" and s.at >= cleared_at]
    best = max(current, key=lambda s: (s.blocked_on is not None, s.precision, s.at))
    return Decision("blocked", min(s.at for s in current), best.blocked_on)


def transcript_decision(
    last_kind: str | None, last_activity: float | None, now: float, idle_after: float, alive: bool | None
) -> Decision:
    """Versions without live status: what the transcript's last line says, and whether a process lives."""
    state = session_state(last_kind, last_activity, now, idle_after, alive)
    since = last_activity
    if state == "idle" and last_activity is not None:
        since = last_activity + idle_after
    return Decision(state, since)


def session_state(
    last_kind: str | None,
    last_activity: float | None,
    now: float,
    idle_after: float,
    alive: bool | None,
) -> State:
    """`alive` is True/False when the process is known to live or not, None when nothing says."""
    quiet = last_activity is None or now - last_activity > idle_after
    if alive is False:
        return "ended"
    if alive is None:
        if quiet:
            return "ended"
        return "working" if last_kind in _BUSY_KINDS else "waiting"
    if quiet:
        return "idle"
    return "working" if last_kind in _BUSY_KINDS else "waiting"
