"""Many machines, one database: the notices a monitor sends (their size, their parsing), another machine's stored live
states shown as they are, and what a monitor does when it hears another machine's notice (on SQLite, whose store
holds the same tables; PostgreSQL's delivery itself is tested in `tests/integration/test_many_machines.py`)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import orjson

from ccdeck.live.hub import Hub
from ccdeck.live.model import LiveModel, TranscriptFacts, View
from ccdeck.live.monitor import Monitor
from ccdeck.live.shared import IDS_PER_NOTICE, MANY_IDS, Notice, notices, parse_notice, state_row
from ccdeck.store.live_states import put_states
from ccdeck.store.store import Store
from core_fixtures import scan, write_report_config

SID = "f0d4f597-38f2-4750-8dcb-6021b3f1f53c"
T0 = 1_800_000_000.0


def _ids(n: int) -> list[str]:
    return [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)]


def test_notices_name_every_id_in_payloads_postgresql_accepts() -> None:
    ids = _ids(IDS_PER_NOTICE * 2 + 1)
    payloads = notices("box-b", "sessions", ids, 7)
    assert len(payloads) == 3
    assert all(len(p.encode()) < 8000 for p in payloads)
    parsed = [parse_notice(p) for p in payloads]
    assert [n.ids for n in parsed if n is not None] == [tuple(ids[i : i + IDS_PER_NOTICE]) for i in (0, 150, 300)]
    assert {(n.machine, n.kind, n.seq) for n in parsed if n is not None} == {("box-b", "sessions", 7)}


def test_too_many_ids_make_one_notice_that_names_none() -> None:
    (payload,) = notices("box-b", "states", _ids(MANY_IDS + 1), 8)
    assert parse_notice(payload) == Notice("box-b", "states", None, 8)


def test_a_malformed_notice_is_ignored() -> None:
    for payload in ("changed", "{}", orjson.dumps({"machine": "b", "kind": "x", "ids": 3, "seq": 1}).decode()):
        assert parse_notice(payload) is None


def test_a_remote_view_is_shown_as_stored_whatever_the_transcript_or_the_clock_say() -> None:
    model = LiveModel(300.0)
    blocked = View("blocked", T0, "approve Bash: ls", "interactive", "Bash: ls", "fixer")
    (change,) = model.apply_remote({SID: blocked}, T0)
    assert change.view == blocked
    assert model.apply_transcripts([TranscriptFacts(SID, "/w", "assistant", T0 - 9000)], T0 + 10) == []
    assert model.tick(T0 + 10_000) == []
    assert model.view(SID) == blocked
    assert not model.is_local(SID)
    assert model.next_due(T0) is None


async def _monitor_hearing(db: Path | str) -> tuple[Store, Monitor, Any]:
    store = Store.open(db)
    hub = Hub()
    monitor = Monitor(store, [], hub, idle_after=600, rescan_every=30, machine="box-a")
    await monitor.start(catch_up=False)
    return store, monitor, hub.connect()


async def _messages(client: Any, kind: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while not found:
            message = orjson.loads(await client.queue.get())
            found += [message] if message["type"] == kind else []
    return found


async def test_another_machines_state_notice_shows_its_stored_state(db_target: Path | str) -> None:
    store, monitor, client = await _monitor_hearing(db_target)
    try:
        view = View("blocked", time.time(), "approve Write: a.py", "interactive", None)
        await asyncio.to_thread(store.write, lambda c: put_states(c, "box-b", [state_row(SID, view, time.time())], []))
        await monitor.remote.heard(Notice("box-b", "states", (SID,), 1))
        (message,) = await _messages(client, "session.state")
        assert (message["sessionId"], message["state"], message["blockedOn"]) == (SID, "blocked", "approve Write: a.py")
        assert monitor.model.state(SID) == "blocked"
        await asyncio.to_thread(store.write, lambda c: put_states(c, "box-b", [], [SID]))
        await monitor.remote.heard(Notice("box-b", "states", (SID,), 2))
        (message,) = await _messages(client, "session.state")
        assert message["state"] == "ended"
    finally:
        await monitor.stop()
        store.close()


async def test_another_machines_sessions_notice_pushes_their_rows(tmp_path: Path, db_target: Path | str) -> None:
    config = tmp_path / "config"
    write_report_config(config)
    scan(config, db_target)  # as another machine's agent wrote them
    store, monitor, client = await _monitor_hearing(db_target)
    try:
        with store.read() as conn:
            (sid,) = conn.exec_driver_sql("SELECT session_id FROM sessions LIMIT 1").one()
        await monitor.remote.heard(Notice("box-b", "sessions", (sid,), 1))
        (message,) = await _messages(client, "session.updated")
        assert message["session"]["sessionId"] == sid
    finally:
        await monitor.stop()
        store.close()
