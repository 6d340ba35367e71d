"""Claude Code's live registry (`sessions/<pid>.json`) and prompt history (`history.jsonl`) lines."""

from __future__ import annotations

from pathlib import Path

import orjson

from ccdeck.claude.safe_open import read_small
from ccdeck.claude.timestamps import epoch
from ccdeck.models import HistoryEntry, LiveSession

ENTRY_BYTES = 1024 * 1024  # a registry entry is a few hundred bytes; more is not one


def read_live_session(path: Path, config_dir: Path) -> LiveSession | None:
    """One registry file; None when it vanished, is half-written, is not a session entry, or is no regular file
    inside the config dir (`safe_open`)."""
    try:
        obj = orjson.loads(read_small(config_dir, path, ENTRY_BYTES))
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(obj, dict):
        return None
    pid, session_id = obj.get("pid"), obj.get("sessionId")
    if not isinstance(pid, int) or not isinstance(session_id, str):
        return None

    def text(key: str) -> str | None:
        value = obj.get(key)
        return value if isinstance(value, str) else None

    return LiveSession(
        pid=pid,
        session_id=session_id,
        cwd=text("cwd"),
        started_at=epoch(obj.get("startedAt")),
        updated_at=epoch(obj.get("updatedAt")),
        version=text("version"),
        status=text("status"),
        config_dir=str(config_dir),
        waiting_for=text("waitingFor"),
        status_updated_at=epoch(obj.get("statusUpdatedAt")),
        kind=text("kind"),
        proc_start=text("procStart"),
        name=text("name"),
        job_id=text("jobId"),
    )


def parse_history_line(raw: bytes) -> HistoryEntry | None:
    """One `history.jsonl` line; None when it is not a prompt entry."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("display"), str):
        return None
    timestamp = epoch(obj.get("timestamp"))
    if timestamp is None:
        return None
    project, session_id = obj.get("project"), obj.get("sessionId")
    return HistoryEntry(
        timestamp=timestamp,
        display=obj["display"],
        project=project if isinstance(project, str) else None,
        session_id=session_id if isinstance(session_id, str) else None,
    )
