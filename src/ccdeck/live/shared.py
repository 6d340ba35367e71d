"""Many machines, one database: what this machine's monitor tells the others, and how it hears them.

Outgoing: after a committed batch of rows, a notice naming the sessions it changed; after a change of a local
session's live state, the state itself (`live_states`, with this machine's name) and a notice naming the session.
Notices are PostgreSQL's `NOTIFY ccdeck_changes, '<json>'`, sent in a writer transaction (delivered once it commits):
`{"machine": …, "kind": "sessions" | "states", "ids": [...] | null, "seq": n}`, at most IDS_PER_NOTICE ids each
(payloads must stay under 8000 bytes); more than MANY_IDS at once send `ids: null` ("many changed: reload").
Incoming: `listen` holds one connection of its own (psycopg 3, async: it never blocks the loop) that LISTENs and
hands every notice of another machine to the monitor. On SQLite (one machine) nothing is written and nothing listens.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import orjson

from ccdeck.live.model import Change, View
from ccdeck.store.live_states import CHANNEL, clear_machine, is_shared, notify, other_states, put_states
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
IDS_PER_NOTICE = 150  # 36-character ids: about 6 KB of JSON, under PostgreSQL's 8000-byte payload limit
MANY_IDS = 600
PING_SECONDS = 30.0  # a listening connection that heard nothing this long is checked with a query


@dataclass(frozen=True, slots=True)
class Notice:
    machine: str
    kind: str  # "sessions" | "states"
    ids: tuple[str, ...] | None  # None: too many to name
    seq: int


def notices(machine: str, kind: str, ids: Collection[str], seq: int) -> list[str]:
    """The payloads that name `ids` (sorted), in as many notices as they need."""
    if len(ids) > MANY_IDS:
        return [orjson.dumps({"machine": machine, "kind": kind, "ids": None, "seq": seq}).decode()]
    ordered = sorted(ids)
    chunks = [ordered[i : i + IDS_PER_NOTICE] for i in range(0, len(ordered), IDS_PER_NOTICE)]
    return [orjson.dumps({"machine": machine, "kind": kind, "ids": chunk, "seq": seq}).decode() for chunk in chunks]


def parse_notice(payload: str) -> Notice | None:
    try:
        data = orjson.loads(payload)
        ids = data["ids"]
        return Notice(str(data["machine"]), str(data["kind"]), None if ids is None else tuple(map(str, ids)),
                      int(data["seq"]))  # fmt: skip
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        log.warning("ignoring a malformed %s notice: %.200s", CHANNEL, payload)
        return None


def state_row(session_id: str, view: View, now: float) -> dict[str, Any]:
    return {"session_id": session_id, "state": view.state, "since": view.since, "blocked_on": view.blocked_on,
            "kind": view.kind, "doing": view.doing, "name": view.name, "prompt": view.prompt,
            "updated_at": now}  # fmt: skip


def stored_view(row: Any) -> View:
    return View(row.state, row.since, row.blocked_on, row.kind, row.doing, row.name, row.prompt)


class Shared:
    def __init__(self, store: Store, machine: str, spawn: Callable[[Coroutine[Any, Any, None]], Any]) -> None:
        self.store, self.machine = store, machine
        self.enabled = is_shared(store.engine)
        self._spawn = spawn
        self._seq = itertools.count(1)
        self._pending: dict[str, View] = {}
        self._flushing = False

    # outgoing ----------------------------------------------------------------------------------------------------
    def sessions_written(self, ids: Collection[str]) -> None:
        """From the ingest thread, after a batch committed: name its sessions (queued; the scan does not wait)."""
        if not self.enabled or not ids:
            return
        payloads = notices(self.machine, "sessions", ids, next(self._seq))
        future = self.store.writer.submit(lambda conn: _notify_all(conn, payloads))
        future.add_done_callback(_log_failure)

    def states_changed(self, changes: Sequence[Change]) -> None:
        """On the loop: local sessions' new states, stored and announced shortly (a burst makes one write)."""
        if not self.enabled or not changes:
            return
        for change in changes:
            self._pending[change.session_id] = change.view
        if not self._flushing:
            self._flushing = True
            self._spawn(self._flush())

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the rest of this turn's changes join
        pending, self._pending, self._flushing = self._pending, {}, False
        now = time.time()
        rows = [state_row(sid, view, now) for sid, view in pending.items() if view.state != "ended"]
        gone = [sid for sid, view in pending.items() if view.state == "ended"]
        payloads = notices(self.machine, "states", pending, next(self._seq))

        def job(conn: Any) -> None:
            put_states(conn, self.machine, rows, gone)
            _notify_all(conn, payloads)

        await asyncio.to_thread(self.store.write, job)

    async def forget_mine(self) -> None:
        """At start and stop: this machine's stored states are stale (a crash leaves them); the others hear it."""
        if not self.enabled:
            return

        def job(conn: Any) -> None:
            ids = clear_machine(conn, self.machine)
            _notify_all(conn, notices(self.machine, "states", ids, next(self._seq)) if ids else [])

        await asyncio.to_thread(self.store.write, job)

    # incoming ----------------------------------------------------------------------------------------------------
    async def other_states(self, ids: Sequence[str] | None) -> dict[str, View]:
        """Other machines' stored states (of `ids`, or all)."""

        def read() -> list[Any]:
            with self.store.read() as conn:
                return other_states(conn, self.machine, ids)

        return {row.session_id: stored_view(row) for row in await asyncio.to_thread(read)}

    async def listen(self, connected: Callable[[], Awaitable[None]], heard: Callable[[Notice], Awaitable[Any]]) -> None:
        """LISTEN until cancelled: `connected` after each (re)connection (notices may have been missed before it),
        `heard` for each notice of another machine. A lost server raises; the supervisor retries with backoff."""
        import psycopg  # only a PostgreSQL store listens: SQLite users never load the driver
        from psycopg.conninfo import make_conninfo

        url = self.store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        # TCP keepalives: a server that vanished without closing the connection is noticed within a minute.
        conninfo = make_conninfo(url, keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            await connected()
            while True:
                async for raw in conn.notifies(timeout=PING_SECONDS):
                    notice = parse_notice(raw.payload)
                    if notice is not None and notice.machine != self.machine:
                        await heard(notice)
                await conn.execute("SELECT 1")  # a server gone quietly fails here, not never


def announce_sessions(store: Store, machine: str, ids: Collection[str]) -> None:
    """After a one-off `scan` (no monitor): name the sessions it wrote to every listening `serve`, and wait for it;
    nothing where no one listens (SQLite)."""
    if is_shared(store.engine) and ids:
        payloads = notices(machine, "sessions", ids, 0)
        store.write(lambda conn: _notify_all(conn, payloads))


def _notify_all(conn: Any, payloads: Sequence[str]) -> None:
    for payload in payloads:
        notify(conn, payload)


def _log_failure(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("could not tell other machines of a change: %s", future.exception())
