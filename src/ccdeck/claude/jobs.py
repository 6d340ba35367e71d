"""Background sessions (`claude --bg`): `jobs/<id>/state.json`, what the daemon says of each job.

`state` is `working` until the job is stopped (`stopped`); `tempo` tells `active`, `idle` (the turn ended) or
`blocked` (it needs the user: `needs` says what, e.g. "approve Write: /abs/path"); `detail` is what it is doing
or its last answer; `intent` is the prompt it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from ccdeck.claude.timestamps import epoch


@dataclass(frozen=True, slots=True)
class BackgroundJob:
    job_id: str
    session_id: str
    state: str | None
    tempo: str | None
    needs: str | None
    detail: str | None
    intent: str | None
    name: str | None
    cwd: str | None
    updated_at: float | None
    config_dir: str


def job_state_path(path: Path) -> bool:
    """True for `<config>/jobs/<id>/state.json`."""
    return path.name == "state.json" and path.parent.parent.name == "jobs"


def parse_job_state(raw: bytes, job_id: str, config_dir: str) -> BackgroundJob | None:
    """One `state.json`; None when it is half-written or is not a job's state."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("sessionId"), str):
        return None

    def text(key: str) -> str | None:
        value = obj.get(key)
        return value if isinstance(value, str) else None

    return BackgroundJob(
        job_id=job_id,
        session_id=obj["sessionId"],
        state=text("state"),
        tempo=text("tempo"),
        needs=text("needs"),
        detail=text("detail"),
        intent=text("intent"),
        name=text("name"),
        cwd=text("cwd"),
        updated_at=epoch(obj.get("updatedAt")),
        config_dir=config_dir,
    )
