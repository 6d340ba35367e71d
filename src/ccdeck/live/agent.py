"""The agent's loop (`ccdeck agent`): the live monitor without a web server. It ingests this machine's Claude Code
files into the database (catch-up, file events, the safety rescan) and follows the registry, background jobs and
processes exactly as `serve` does, until SIGINT or SIGTERM.

Hooks are POSTed over HTTP to `serve`; the agent has no HTTP server, so it takes none (the registry and transcripts
give the same states, a moment later). Alerts are not sent from here: the dashboard's server sends them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from ccdeck import config
from ccdeck.config import Config
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.store.store import Store

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_agent(cfg: Config, started: Callable[[], None]) -> None:
    """Open the store, call `started`, ingest and follow until a stop signal; then stop the monitor and close the
    store (its writer commits what is queued)."""
    store = await asyncio.to_thread(Store.open, cfg.db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stop.set)
    hub = Hub()  # no client ever connects: what the monitor publishes goes nowhere
    monitor = Monitor(store, cfg.config_dirs, hub, idle_after=cfg.get(config.IDLE_MINUTES) * 60,
                      rescan_every=cfg.get(config.RESCAN_SECONDS), poll=cfg.get(config.POLL), listen=False)  # fmt: skip
    try:
        started()
        logging.getLogger("ccdeck.live").setLevel(logging.INFO)  # the catch-up's lines, as `serve` shows them
        await monitor.start(catch_up=True)
        await stop.wait()
    finally:
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)
        await monitor.stop()
        hub.close()
        await asyncio.to_thread(store.close)
