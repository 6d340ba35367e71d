"""The command line's full store: open it (creating or migrating the database), ingest what is new with a
progress bar once that takes over a second, and read through SQLAlchemy. Commands reach it only when they must
write: `scan`, or a report whose database is missing, behind, or older than Claude Code's files (`cli_read`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from sqlalchemy import Connection

from ccdeck.config import MACHINE, Config
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.store.reader import Reader
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

T = TypeVar("T")


@contextmanager
def opened(cfg: Config) -> Iterator[Store]:
    store = Store.open(cfg.db)
    try:
        yield store
    finally:
        store.close()


def _progress_after(delay: float, stderr: Console) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback that shows a bar only once the work has taken `delay` seconds."""
    started = time.monotonic()
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if time.monotonic() - started < delay or not stderr.is_terminal:
                return
            bar = Progress("Ingesting", BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=stderr)
            state["bar"], state["task"] = bar, bar.add_task("scan", total=total)
            bar.start()
        state["bar"].update(state["task"], completed=done, total=total)

    def finish() -> None:
        if "bar" in state:
            state["bar"].stop()

    return update, finish


def ingest(store: Store, cfg: Config, stderr: Console, depth: Depth = "full") -> ScanStats:
    """Ingest what is new; on a shared database (PostgreSQL) every `serve` then hears which sessions changed."""
    update, finish = _progress_after(1.0, stderr)
    try:
        stats = Ingestor(store, machine=cfg.get(MACHINE)).scan(cfg.config_dirs, update, depth)
    finally:
        finish()
    if stats.sessions and store.engine.dialect.name == "postgresql":
        from ccdeck.live.shared import announce_sessions

        announce_sessions(store, cfg.get(MACHINE), stats.sessions)
    return stats


def read_store(cfg: Config, scan: bool, read: Callable[[Connection], T], stderr: Console, depth: Depth = "full") -> T:
    """Open the store, ingest what is new (unless `--no-scan`) as far as `depth`, then read with one connection."""
    with opened(cfg) as store:
        if scan:
            ingest(store, cfg, stderr, depth)
        with store.read() as conn:
            return read(conn)


def read_after_scan(cfg: Config, scan: bool, read: Callable[[Reader], T], stderr: Console, depth: Depth = "full") -> T:
    """`read_store` for a read through the `Reader` interface."""
    return read_store(cfg, scan, lambda conn: read(SqlaReader(conn)), stderr, depth)
