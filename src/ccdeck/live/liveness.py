"""Which sessions have a living process: the live registry first, then running `claude` processes by cwd."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from ccdeck.live.processes import ClaudeProcess, claude_processes, registered_process_lives
from ccdeck.live.state import State, session_state
from ccdeck.store import schema


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What state needs of a session row."""

    session_id: str
    project_path: str | None
    last_kind: str | None
    last_activity: float | None


def session_facts(conn: Connection) -> list[SessionFacts]:
    t = schema.sessions.c
    query = select(t.session_id, t.project_path, t.last_kind, t.last_activity)
    return [SessionFacts(*row) for row in conn.execute(query)]


@dataclass(frozen=True)
class Liveness:
    """A moment's view of living sessions: registry entries whose pid lives, and the cwds of claude processes."""

    registry: Mapping[str, str | None]  # session id -> registry status, for entries whose pid is alive
    process_cwds: frozenset[str]

    @classmethod
    def observe(cls, conn: Connection, processes: list[ClaudeProcess] | None = None) -> Liveness:
        t = schema.live_sessions.c
        registry = {
            sid: status
            for sid, pid, started, status in conn.execute(select(t.session_id, t.pid, t.started_at, t.status))
            if registered_process_lives(pid, started)
        }
        running = claude_processes() if processes is None else processes
        return cls(registry, frozenset(p.cwd for p in running if p.cwd))

    def states(self, sessions: Iterable[SessionFacts], now: float, idle_after: float) -> dict[str, State]:
        rows = list(sessions)
        # A claude process in a folder keeps that folder's most recent session alive (older versions have no
        # registry); sessions listed in the registry are decided by it alone.
        newest: dict[str, SessionFacts] = {}
        for row in rows:
            if row.project_path in self.process_cwds and row.session_id not in self.registry:
                held = newest.get(row.project_path)
                if held is None or (row.last_activity or 0) > (held.last_activity or 0):
                    newest[row.project_path] = row
        alive_by_cwd = {row.session_id for row in newest.values()}
        result: dict[str, State] = {}
        for row in rows:
            alive = row.session_id in self.registry or row.session_id in alive_by_cwd
            status = self.registry.get(row.session_id)
            result[row.session_id] = session_state(row.last_kind, row.last_activity, now, idle_after, alive, status)
        return result
