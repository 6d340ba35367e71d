"""The server's catch-up on a big backlog stores usage first, then the rest: the store ends as one complete scan
leaves it, and the sessions the server keeps in memory have their titles and counts."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import synthetic
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.store.store import Store
from core_fixtures import query

SESSIONS = "SELECT session_id, title, prompts, tool_uses, files_changed, input_tokens, cost_usd FROM sessions"


def _rounded(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(*row[:-1], None if row[-1] is None else round(row[-1], 9)) for row in rows]


async def test_the_catch_up_stores_usage_first_then_the_rest(tmp_path: Path, db_target: Path | str) -> None:
    config = tmp_path / "config"
    synthetic.generate(config, synthetic.Params(size_mb=1.0, max_file_mb=0.4, seed=41))
    reference = Store.open(tmp_path / "reference.db")
    try:
        Ingestor(reference).scan([config])
    finally:
        reference.close()
    store = Store.open(db_target)  # the reference is SQLite's: on PostgreSQL, the engines are compared too
    monitor = Monitor(store, [config], Hub(), idle_after=600, rescan_every=30, poll=True)
    monitor.ingestor.pool_bytes = 0  # a big backlog, as far as the scan can tell
    depths: list[Depth] = []
    scan = monitor.ingestor.scan

    def spy(dirs: Any, progress: Any = None, depth: Depth = "full") -> ScanStats:
        depths.append(depth)
        return scan(dirs, progress, depth)

    monitor.ingestor.scan = spy  # type: ignore[method-assign]
    try:
        await monitor.start()
        deadline = time.monotonic() + 60
        while len(depths) < 3 and time.monotonic() < deadline:  # the third: polling's first rescan, after both
            await asyncio.sleep(0.05)
        assert depths[:2] == ["usage", "full"]
        expected = query(tmp_path / "reference.db", f"{SESSIONS} ORDER BY session_id")
        # Costs to 1e-9 dollars: the engines add floats in their own order (the last bits differ).
        assert _rounded(query(db_target, f"{SESSIONS} ORDER BY session_id")) == _rounded(expected)
        snapshot = await monitor.snapshot()
        shown = {s["sessionId"]: s["title"] for s in snapshot["sessions"]}
        titles = {sid: title for sid, title, *_ in expected}
        assert shown and all(shown[sid] == titles[sid] for sid in shown)
    finally:
        await monitor.stop()
        store.close()
