"""`ccdeck watch`: the live screen of active sessions and today's totals (`render.watch_screen`), redrawn as files
change. The command owns what it runs for its lifetime: the store, the monitor and its hub, and the alerts, which go
to the `notify` URLs as `serve` sends them (their links point at the dashboard's configured address)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from rich.console import Console
from rich.live import Live

from ccdeck import config
from ccdeck.config import Config
from ccdeck.live.alerts import Alerts, dashboard_url
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.live.mutes import load_mutes, mutes_path
from ccdeck.live.notifier import Notifier, notify_urls
from ccdeck.render.watch_screen import render_watch
from ccdeck.shapes.common import SessionRow
from ccdeck.store import session_queries
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store


async def _active_rows(monitor: Monitor) -> list[SessionRow]:
    active = monitor.model.active_ids()

    def read() -> list[Any]:
        with monitor.store.read() as conn:
            return session_queries.sessions_by_id(SqlaReader(conn), active)

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
                      notifier=notifier, machine=cfg.get(config.MACHINE))  # fmt: skip
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
