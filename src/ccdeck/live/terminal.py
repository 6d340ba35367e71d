"""`ccdeck watch`: a Rich live table of active sessions and today's totals, redrawn as files change."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ccdeck import config
from ccdeck.config import Config
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.reports.render import cost, tokens
from ccdeck.shapes.common import SessionRow
from ccdeck.store import queries
from ccdeck.store.store import Store

COLOURS = {"working": "green", "waiting": "yellow", "idle": "blue", "ended": "dim"}


def elapsed(seconds: float) -> str:
    minutes, _ = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def render_watch(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any], now: float) -> Group:
    """The whole screen: a header line of today's totals and a table of active sessions. Pure, for tests."""
    today = summary["today"]
    active = summary["active"]
    header = Text.assemble(
        ("ccdeck ", "bold"),
        f"today {tokens(today['totalTokens'])} tokens, {cost(today['costUSD'])}  ·  ",
        (f"{active['working']} working", "green"), ", ",
        (f"{active['waiting']} waiting", "yellow"), ", ",
        (f"{active['idle']} idle", "blue"),
    )  # fmt: skip
    table = Table(expand=True)
    for name in ("State", "Project", "Branch", "Model", "Elapsed", "Doing"):
        table.add_column(name, no_wrap=name != "Doing", overflow="ellipsis")
    for name in ("Tokens", "Cost", "Files"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        first = datetime.fromisoformat(row["firstActivity"]).timestamp() if row["firstActivity"] else now
        table.add_row(
            f"[{COLOURS[row['state']]}]{row['state']}[/]",
            (row["projectPath"] or "—").rstrip("/").rsplit("/", 1)[-1],
            row["gitBranch"] or "—",
            (row["models"] or ["—"])[0].removeprefix("claude-"),
            elapsed(now - first),
            row["doing"] or row["title"] or "",
            tokens(row["totalTokens"]),
            cost(row["costUSD"]),
            str(row["filesChanged"]),
        )
    if not rows:
        table.add_row("[dim]no active sessions[/]", *[""] * 8)
    return Group(header, table)


async def _active_rows(monitor: Monitor) -> list[SessionRow]:
    active = monitor.model.active_ids()

    def read() -> list[Any]:
        with monitor.store.read() as conn:
            return queries.sessions_by_id(conn, active)

    rows = [monitor.row_json(r) for r in await asyncio.to_thread(read)]
    order = {"blocked": 0, "working": 1, "waiting": 2, "idle": 3, "ended": 4}
    return sorted(rows, key=lambda r: (order[r["state"]], r["lastActivity"] or ""), reverse=False)


async def _watch(cfg: Config, console: Console) -> None:
    store = Store.open(cfg.db)
    hub = Hub()
    monitor = Monitor(store, cfg.config_dirs, hub, idle_after=cfg.get(config.IDLE_MINUTES) * 60,
                      rescan_every=cfg.get(config.RESCAN_SECONDS), poll=cfg.get(config.POLL))  # fmt: skip
    client = hub.connect()
    try:
        with console.status("Ingesting new lines…"):
            await monitor.scan_all(progress=False)
        await monitor.start(catch_up=False)
        with Live(console=console, auto_refresh=False, screen=False) as live:
            while True:
                rows, summary = await _active_rows(monitor), await monitor.summary()
                live.update(render_watch(rows, summary, time.time()), refresh=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(client.queue.get(), 1.0)
                while not client.queue.empty():  # coalesce a burst of messages into one redraw
                    client.queue.get_nowait()
    finally:
        hub.close()
        await monitor.stop()
        store.close()


def run_watch(cfg: Config, console: Console) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_watch(cfg, console))
