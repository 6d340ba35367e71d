"""What clients see of the live monitor: a session row (stored facts plus the live model's view), the snapshot a
client starts from, and the overview's summary, published shortly after every change (a burst makes one)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any

import anyio

from ccdeck.live.alerts import Alerts
from ccdeck.live.hub import Hub
from ccdeck.live.model import LiveModel, TranscriptFacts
from ccdeck.reports.session_report import session_json
from ccdeck.reports.summary import stored_summary
from ccdeck.shapes import messages
from ccdeck.shapes.common import ScanProgress, SessionRow, StoredSummary, Summary
from ccdeck.store import session_queries, usage_queries
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

SUMMARY_DELAY = 0.1  # coalesce a burst of changes into one summary
SNAPSHOT_RECENT = 50
STATUSLINE_POLL = 2.0  # how often to look for a new `ccdeck statusline` record (another process writes them)


class Views:
    def __init__(
        self,
        store: Store,
        hub: Hub,
        model: LiveModel,
        alerts: Alerts,
        spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
    ) -> None:
        self.store, self.hub, self.model, self.alerts = store, hub, model, alerts
        self._spawn = spawn
        self._summary_task: asyncio.Task[None] | None = None
        self._statusline_seen: float | None = None
        self._block_end: float | None = None  # the end of the block in the last summary: it changes then, by itself

    def row_json(self, row: Any) -> SessionRow:
        """A session row as clients see it: stored facts and the live model's view (state, blockedOn, ...)."""
        return {**session_json(row), **self.model.view(row.session_id).as_json()}

    async def snapshot(self, scan: ScanProgress) -> messages.SnapshotMessage:
        """What a client needs to start from: active sessions, the most recent ones, totals, scan progress."""
        active = self.model.active_ids()

        def read() -> list[Any]:
            with self.store.read() as conn:
                reader = SqlaReader(conn)
                recent, _ = session_queries.list_sessions(reader, session_queries.SessionQuery(limit=SNAPSHOT_RECENT))
                shown = {r.session_id for r in recent}
                return [*recent, *session_queries.sessions_by_id(reader, [sid for sid in active if sid not in shown])]

        rows = await asyncio.to_thread(read)
        summary = await self.summary()
        sessions = [self.row_json(r) for r in rows]
        return messages.SnapshotMessage(type="snapshot", sessions=sessions, summary=summary, scan=scan,
                                        mutes=self.alerts.mutes.as_json())  # fmt: skip

    def summary_soon(self) -> None:
        if self._summary_task is None or self._summary_task.done():
            self._summary_task = self._spawn(self._publish_summary())

    async def _publish_summary(self) -> None:
        await asyncio.sleep(SUMMARY_DELAY)
        if self.hub.clients:
            self.hub.publish(messages.SummaryMessage(type="summary", summary=await self.summary()))

    async def summary(self, machines: Sequence[str] = ()) -> Summary:
        """The overview; with `machines`, of their responses only (an answer to one request: nothing is kept)."""
        stored = await asyncio.to_thread(_stored_summary, self.store, machines)
        result = Summary(**stored, active=self.model.counts())
        if machines:
            return result
        block = result["block"]
        self._block_end = None if block is None else datetime.fromisoformat(block["endTime"]).timestamp()
        return result

    async def follow_summary_inputs(self, stopping: anyio.Event) -> None:
        """What changes the summary besides ingest: a status-line record (rate limits) written by `ccdeck statusline`,
        and the end of the current block."""

        def updated() -> float | None:
            with self.store.read() as conn:
                return usage_queries.statusline_updated(SqlaReader(conn))

        self._statusline_seen = await asyncio.to_thread(updated)
        while not stopping.is_set():
            with anyio.move_on_after(STATUSLINE_POLL):
                await stopping.wait()
            seen = await asyncio.to_thread(updated)
            block_over = self._block_end is not None and time.time() >= self._block_end
            if seen != self._statusline_seen or block_over:
                self._statusline_seen, self._block_end = seen, None
                self.summary_soon()


def facts(row: Any) -> TranscriptFacts:
    """What the live model needs of a stored session row."""
    return TranscriptFacts(row.session_id, row.project_path, row.last_kind, row.last_activity,
                           getattr(row, "entrypoint", None), row.doing)  # fmt: skip


def _stored_summary(store: Store, machines: Sequence[str] = ()) -> StoredSummary:
    with store.read() as conn:
        return stored_summary(SqlaReader(conn), datetime.now().astimezone(), machines)
