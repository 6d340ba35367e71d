"""Muted sessions and projects: they still show everywhere, but send no alert.

Kept in a small JSON file beside the database (`mutes.json`: `{"sessions": [...], "projects": [...]}`), written
atomically (temp file + rename), so `ccdeck serve` and `ccdeck watch` share it. A missing or unreadable file means
nothing is muted (an unreadable one is logged).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ccdeck.db_target import DbTarget
from ccdeck.shapes.common import MuteKind
from ccdeck.shapes.common import Mutes as MutesJson

log = logging.getLogger(__name__)
MAX_MUTES = 10_000  # a client cannot grow the file without bound


@dataclass
class Mutes:
    sessions: set[str] = field(default_factory=set)
    projects: set[str] = field(default_factory=set)

    def muted(self, session_id: str, project: str | None) -> bool:
        return session_id in self.sessions or (project is not None and project in self.projects)

    def add(self, kind: MuteKind, value: str) -> bool:
        """False when the list is full."""
        target = self.sessions if kind == "session" else self.projects
        if value not in target and len(self.sessions) + len(self.projects) >= MAX_MUTES:
            return False
        target.add(value)
        return True

    def remove(self, kind: MuteKind, value: str) -> None:
        (self.sessions if kind == "session" else self.projects).discard(value)

    def as_json(self) -> MutesJson:
        return {"sessions": sorted(self.sessions), "projects": sorted(self.projects)}


def mutes_path(db: DbTarget) -> Path:
    return db.local_dir / "mutes.json"


def load_mutes(path: Path) -> Mutes:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return Mutes()
    except (OSError, orjson.JSONDecodeError) as exc:
        log.warning("ignoring the mutes in %s: %s", path, exc)
        return Mutes()
    if not isinstance(data, dict):
        return Mutes()
    return Mutes(_strings(data.get("sessions")), _strings(data.get("projects")))


def save_mutes(path: Path, content: bytes) -> None:
    """Write `Mutes.as_json()` already serialised (on the loop) from a worker thread."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(content)
    temp.replace(path)


def _strings(value: object) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()
