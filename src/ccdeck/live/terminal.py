"""`ccdeck watch`: a Rich live table of active sessions and today's totals, redrawn as files change; alerts go to the
`notify` URLs as `serve` sends them (their links point at the dashboard's configured address)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from ccdeck import config
from ccdeck.config import Config
from ccdeck.live.alerts import Alerts, dashboard_url
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.live.mutes import load_mutes, mutes_path
from ccdeck.live.notifier import Notifier, notify_urls
from ccdeck.render.cells import NONE, cost, home_short, model_names, project_names, tokens
from ccdeck.render.fit import Column, FitTable
from ccdeck.shapes.common import SessionRow
from ccdeck.store import queries
from ccdeck.store.store import Store

COLOURS = {"blocked": "red", "working": "green", "waiting": "yellow", "idle": "blue", "ended": "dim"}


def elapsed(seconds: float) -> str:
    minutes, _ = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def render_watch(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any], now: float,
                 config_dirs: Sequence[Path] = ()) -> Group:  # fmt: skip
    """The whole screen: a header line of today's totals and a table of active sessions (or a line saying where none
    was found). Pure, for tests."""
    today = summary["today"]
    active = summary["active"]
    header = Text.assemble(
        ("ccdeck ", "bold"),
        f"today {tokens(today['totalTokens'])} tokens, {cost(today['costUSD'])}  ·  ",
        (f"{active['working']} working", "green"), ", ",
        (f"{active['waiting']} waiting", "yellow"), ", ",
        (f"{active['idle']} idle", "blue"),
    )  # fmt: skip
    if not rows:
        where = ", ".join(home_short(d / "projects") for d in config_dirs)
        found = f"no active sessions in {where}" if where else "no active sessions: no Claude Code config dir found"
        return Group(header, Text(f"{found}; start claude in a terminal, or pass --config-dir DIR", "dim"))
    return Group(header, _sessions_table(rows, now))


def _sessions_table(rows: Sequence[Mapping[str, Any]], now: float) -> FitTable:
    projects = project_names(r["projectPath"] for r in rows)
    models = model_names(r["models"][0] for r in rows if r["models"])
    columns = [Column("State"), Column("Project"), Column("Branch", drop=6), Column("Model", drop=4),
               Column("Elapsed", drop=2, justify="right"), Column("Doing", flex=True, min_width=20),
               Column("Tokens", drop=5, justify="right"), Column("Cost", justify="right"),
               Column("Files", drop=7, justify="right")]  # fmt: skip
    table = FitTable(columns, expand=True, note_hidden=False)
    for row in rows:
        first = datetime.fromisoformat(row["firstActivity"]).timestamp() if row["firstActivity"] else now
        table.add_row(
            Text(row["state"], COLOURS.get(row["state"], "")),
            projects[row["projectPath"]],
            row["gitBranch"] or NONE,
            models[row["models"][0]] if row["models"] else NONE,
            elapsed(now - first),
            row["doing"] or row["title"] or "",
            tokens(row["totalTokens"]),
            cost(row["costUSD"]),
            str(row["filesChanged"]),
        )
    return table


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
    urls = notify_urls(cfg.get(config.NOTIFY))
    notifier = Notifier(urls) if urls else None
    base_url = dashboard_url(cfg.get(config.HOST), cfg.get(config.PORT))
    mutes = await asyncio.to_thread(load_mutes, mutes_path(cfg.db))
    alerts = Alerts(finish_after=cfg.get(config.ALERT_AFTER_MINUTES) * 60, base_url=base_url, mutes=mutes)
    monitor = Monitor(store, cfg.config_dirs, hub, idle_after=cfg.get(config.IDLE_MINUTES) * 60,
                      rescan_every=cfg.get(config.RESCAN_SECONDS), poll=cfg.get(config.POLL), alerts=alerts,
                      notifier=notifier)  # fmt: skip
    client = hub.connect()
    try:
        with console.status("Ingesting new lines…"):
            await monitor.scan_all(progress=False)
        await monitor.start(catch_up=False)
        with Live(console=console, auto_refresh=False, screen=False) as live:
            while True:
                rows, summary = await _active_rows(monitor), await monitor.summary()
                live.update(render_watch(rows, summary, time.time(), cfg.config_dirs), refresh=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(client.queue.get(), 1.0)
                while not client.queue.empty():  # coalesce a burst of messages into one redraw
                    client.queue.get_nowait()
    finally:
        hub.close()
        await monitor.stop()
        if notifier is not None:
            await asyncio.to_thread(notifier.close)
        store.close()


def run_watch(cfg: Config, console: Console) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_watch(cfg, console))
