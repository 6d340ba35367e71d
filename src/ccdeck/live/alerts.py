"""Alerts: the few moments worth interrupting someone for, decided from the live model's changes and run updates.

- `blocked`: a session starts needing the user's approval or answer;
- `finished`: a session that worked for at least `finish_after` seconds ends its turn (working → waiting);
- `failed`: a turn ends in a StopFailure hook (`rate_limit`, `server_error`, ...), or a session's transcript gains
  `API_ERROR_STREAK` API errors with no billed answer between them;
- `run_finished` / `task_failed`: a run of `ccdeck run` ends, or one of its tasks ends in a failing state.

One alert per event. The same subject and kind are not alerted twice within `dedup_seconds` unless the state left
and came back (a blocked session that was answered and blocks again is a new event). At most `per_minute` alerts
go out in any minute; the rest are held and summed up in one `suppressed` alert once the minute is over. Muted
sessions and projects (`Mutes`) send nothing. Pure: time comes in as `now`; the monitor feeds it on the event loop.
"""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ccdeck.claude.timestamps import iso
from ccdeck.live.model import Change
from ccdeck.live.mutes import Mutes
from ccdeck.shapes.common import Alert as AlertJson
from ccdeck.shapes.common import AlertKind

API_ERROR_STREAK = 3
FAILED_TASK_STATES = frozenset({"failed", "timed_out", "budget_exceeded", "max_turns"})
RUN_FINAL_STATES = frozenset({"finished", "stopped", "interrupted"})
RATE_WINDOW = 60.0


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What names a session in an alert: its folder, branch and title."""

    project: str | None = None
    branch: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    at: float
    headline: str  # one line: the notification's title
    message: str  # where (project · branch · title), the state and what it waits for, the link
    session_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None
    project: str | None = None
    branch: str | None = None
    title: str | None = None
    state: str | None = None
    waiting_for: str | None = None  # what it waits for (blockedOn), or why it failed
    url: str | None = None

    def as_json(self) -> AlertJson:
        return {"kind": self.kind, "at": iso(self.at), "headline": self.headline, "message": self.message,
                "sessionId": self.session_id, "runId": self.run_id, "taskId": self.task_id,
                "projectPath": self.project, "gitBranch": self.branch, "title": self.title, "state": self.state,
                "waitingFor": self.waiting_for, "url": self.url}  # fmt: skip


@dataclass
class Alerts:
    """Not thread-safe: only the event loop calls it."""

    finish_after: float
    base_url: str | None = None
    mutes: Mutes = field(default_factory=Mutes)
    dedup_seconds: float = 600.0
    per_minute: int = 10
    info: dict[str, SessionInfo] = field(default_factory=dict)
    _fired: dict[tuple[str, str], float] = field(default_factory=dict)
    _turn_started: dict[str, float] = field(default_factory=dict)
    _failed_turn: set[str] = field(default_factory=set)
    _error_base: dict[str, int] = field(default_factory=dict)
    _sent: deque[float] = field(default_factory=deque)
    _held: list[Alert] = field(default_factory=list)

    # sessions ----------------------------------------------------------------------------------------------------
    def observe(self, change: Change, now: float) -> list[Alert]:
        sid, old, new = change.session_id, change.previous.state, change.view.state
        if new != "blocked":
            self._fired.pop((sid, "blocked"), None)  # answered: a new block is a new event
        if new == "working":
            self._rearm_turn(sid)
            if old not in ("working", "blocked"):
                self._turn_started[sid] = change.view.since or now
        if new == "blocked" and old != "blocked":
            return self._gate([self._session_alert("blocked", sid, now, change.view.blocked_on)], now)
        if old == "working" and new == "waiting":
            return self._gate(self._turn_ended(sid, now), now)
        if new in ("idle", "ended"):
            self._turn_started.pop(sid, None)
        return []

    def observe_failure(self, session_id: str, failure: str, now: float) -> list[Alert]:
        """A StopFailure hook: the turn ended on an error. The turn's end then sends no `finished` alert."""
        self._failed_turn.add(session_id)
        return self._gate([self._session_alert("failed", session_id, now, failure)], now)

    def baseline_errors(self, session_id: str, count: int) -> None:
        """The API errors a session already had when it was first seen: only new ones make a streak."""
        self._error_base.setdefault(session_id, count)

    def observe_api_errors(self, session_id: str, count: int, answered: bool, now: float) -> list[Alert]:
        """A session's stored API error count after a batch; `answered`: the batch held a billed answer of it."""
        base = self._error_base.setdefault(session_id, 0)
        if answered or count < base:
            self._error_base[session_id] = count
            return []
        if count - base < API_ERROR_STREAK:
            return []
        self._error_base[session_id] = count
        return self._gate([self._session_alert("failed", session_id, now, f"{count - base} API errors in a row")], now)

    # runs --------------------------------------------------------------------------------------------------------
    def observe_run(self, run: Mapping[str, Any], now: float) -> list[Alert]:
        """A run as `run.updated` shows it (`orchestrator.report.run_json`)."""
        run_id = str(run["id"])
        alerts = [self._task_alert(run_id, task, now) for task in run.get("tasks", [])
                  if task.get("status") in FAILED_TASK_STATES]  # fmt: skip
        if run.get("status") in RUN_FINAL_STATES:
            alerts.append(self._run_alert(run, now))
        fresh = [a for a in alerts if self._fire((a.run_id or "") + "/" + (a.task_id or ""), a.kind, now, forever=True)]
        return self._gate(fresh, now, fired=True)

    # rate limit --------------------------------------------------------------------------------------------------
    def next_flush(self) -> float | None:
        """When the held alerts' summary is due."""
        return self._sent[0] + RATE_WINDOW if self._held and self._sent else None

    def flush(self, now: float) -> list[Alert]:
        due = self.next_flush()
        if due is None or now < due:
            return []
        held, self._held = self._held, []
        shown = "; ".join(a.headline for a in held[:3]) + ("; …" if len(held) > 3 else "")
        self._sent.append(now)
        return [Alert("suppressed", now, f"{len(held)} more alert{'s' if len(held) > 1 else ''}", shown)]

    def _gate(self, alerts: list[Alert], now: float, fired: bool = False) -> list[Alert]:
        passed = []
        for alert in alerts:
            if self._muted(alert) or not (fired or self._fire(alert.session_id or "", alert.kind, now)):
                continue
            while self._sent and now - self._sent[0] >= RATE_WINDOW:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                self._held.append(alert)
                continue
            self._sent.append(now)
            passed.append(alert)
        return passed

    # internals ---------------------------------------------------------------------------------------------------
    def _fire(self, subject: str, kind: str, now: float, forever: bool = False) -> bool:
        last = self._fired.get((subject, kind))
        if last is not None and (forever or now - last < self.dedup_seconds):
            return False
        self._fired[(subject, kind)] = now
        return True

    def _rearm_turn(self, sid: str) -> None:
        self._failed_turn.discard(sid)
        self._fired.pop((sid, "finished"), None)
        self._fired.pop((sid, "failed"), None)

    def _turn_ended(self, sid: str, now: float) -> list[Alert]:
        started = self._turn_started.pop(sid, None)
        if sid in self._failed_turn:
            self._failed_turn.discard(sid)
            return []
        if started is None or now - started < self.finish_after:
            return []
        return [self._session_alert("finished", sid, now, None, worked=now - started)]

    def _muted(self, alert: Alert) -> bool:
        return alert.session_id is not None and self.mutes.muted(alert.session_id, alert.project)

    def _session_alert(self, kind: AlertKind, sid: str, now: float, why: str | None, worked: float = 0) -> Alert:
        info = self.info.get(sid, SessionInfo())
        where = _folder(info.project) or sid[:8]
        headline = {
            "blocked": f"{where} needs you: {why or 'input needed'}",
            "finished": f"{where} finished its turn after {_minutes(worked)}",
            "failed": f"{where} failed: {why}",
        }[kind]
        state = {"blocked": "blocked", "finished": "waiting", "failed": "waiting"}[kind]
        url = f"{self.base_url}/sessions/{sid}" if self.base_url else None
        where_long = " · ".join(x for x in (info.project or sid, info.branch, info.title) if x)
        message = "\n".join(x for x in (where_long, f"{state}: {why}" if why else state, url) if x)
        return Alert(kind, now, headline, message, session_id=sid, project=info.project, branch=info.branch,
                     title=info.title, state=state, waiting_for=why, url=url)  # fmt: skip

    def _task_alert(self, run_id: str, task: Mapping[str, Any], now: float) -> Alert:
        task_id, status = str(task.get("id")), str(task.get("status"))
        why = task.get("error") or task.get("terminalReason") or status
        url = f"{self.base_url}/runs/{run_id}" if self.base_url else None
        return Alert("task_failed", now, f"run {run_id}: task {task_id} {status}", " · ".join(
            x for x in (str(why), url) if x), run_id=run_id, task_id=task_id, project=task.get("cwd"),
            state=status, waiting_for=str(why), url=url, session_id=None)  # fmt: skip

    def _run_alert(self, run: Mapping[str, Any], now: float) -> Alert:
        run_id, status = str(run["id"]), str(run["status"])
        counts: Mapping[str, int] = run.get("counts") or {}
        done = f"{counts.get('succeeded', 0)} of {sum(counts.values())} tasks succeeded"
        url = f"{self.base_url}/runs/{run_id}" if self.base_url else None
        return Alert("run_finished", now, f"run {run_id} {status}: {done}", " · ".join(x for x in (done, url) if x),
                     run_id=run_id, state=status, url=url)  # fmt: skip


def _folder(project: str | None) -> str | None:
    return project.rstrip("/").rsplit("/", 1)[-1] or project if project else None


def _minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def dashboard_url(host: str, port: int) -> str:
    """`ccdeck serve`'s address, for links in alerts (a wildcard bind is reached through this machine's name)."""
    if host in ("0.0.0.0", "::"):
        host = socket.gethostname()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"
