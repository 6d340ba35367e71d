"""Session states for commands that run without a server (`ccdeck sessions`): the same live model `serve` keeps,
fed once from what the last scan stored (registry entries, transcript facts), the config dirs' background jobs and
one scan of running `claude` processes. Hooks reach only a running server."""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from ccdeck.live.model import LiveModel, TranscriptFacts
from ccdeck.live.processes import claude_processes
from ccdeck.live.sources import entry_lives, job_files, read_job
from ccdeck.store import session_queries
from ccdeck.store.reader import Reader


def stored_model(
    reader: Reader, config_dirs: Sequence[Path], idle_after: float, machine: str | None = None
) -> LiveModel:
    """The live model from the stored registry of `machine` (its processes are the ones this machine can see), the
    background jobs and process list of this machine, and the stored sessions."""
    now = time.time()
    model = LiveModel(idle_after)
    entries = sorted(session_queries.live_registry(reader, None, machine), key=lambda e: e.config_dir)
    for config_dir, group in groupby(entries, key=lambda e: e.config_dir):
        model.apply_registry(config_dir, [(entry, entry_lives(entry)) for entry in group], now)
    for config_dir in config_dirs:
        for path in job_files(config_dir):
            if (job := read_job(path, config_dir)) is not None:
                model.apply_job(job, now)
    model.apply_transcripts([TranscriptFacts(*row) for row in session_queries.session_facts(reader)], now)
    model.apply_processes(frozenset(p.cwd for p in claude_processes() if p.cwd), now)
    return model
