"""What a scan reports: its counts (`ScanStats`), its progress, and its log lines about malformed lines."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ccdeck.ingest.chunks import ParseStats
from ccdeck.shapes.cli import ScanStats as ScanStatsJson
from ccdeck.store.rows import Problem

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class ScanStats:
    files: int = 0
    bytes: int = 0
    lines: int = 0
    new_responses: int = 0
    problems: int = 0
    skipped: int = 0  # paths that are no regular file inside their config dir
    unknown_types: Counter[str] = field(default_factory=Counter)
    sessions: set[str] = field(default_factory=set)
    seconds: float = 0.0
    first_problem: str | None = None  # "path:line (byte offset): reason" of the first malformed line

    def as_json(self) -> ScanStatsJson:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "lines": self.lines,
            "newResponses": self.new_responses,
            "problems": self.problems,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "unknownTypes": dict(self.unknown_types),
            "sessionsChanged": len(self.sessions),
        }

    def add(self, parsed: ParseStats) -> None:
        self.lines += parsed.lines
        self.problems += parsed.problems
        self.unknown_types.update(parsed.unknown_types)


class ProgressBar:
    """Bytes read of the bytes a scan has to read, over all its passes."""

    def __init__(self, report: Progress, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def advance(self, read: int) -> None:
        self.done += read
        self.report(min(self.done, self.total), self.total)  # a file may grow between the passes


def log_problems(problems: Iterable[Problem], stats: ScanStats) -> None:
    """Each malformed line at debug level (`--verbose`); the scan's summary names the first one."""
    for path, offset, line_no, reason in problems:
        where = f"{path}:{line_no} (byte {offset}): {reason}"
        if stats.first_problem is None:
            stats.first_problem = where
        log.debug("malformed line %s", where)


def log_summary(stats: ScanStats) -> None:
    """One line per scan, however many lines were malformed (they are stored in `problems`, each logged at debug)."""
    if stats.problems:
        noun = "line" if stats.problems == 1 else "lines"
        log.warning("%s malformed %s skipped (first: %s); see --verbose", f"{stats.problems:,}", noun,
                    stats.first_problem)  # fmt: skip
