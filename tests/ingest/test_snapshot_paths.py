"""Relative `file-history-snapshot` paths name files from the folder the session started in, wherever it went."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core_fixtures import assistant, query, scan, transcript, user_prompt, write_jsonl

S = "cccccccc-3333-4000-8000-00000000000c"
RESUMED = "dddddddd-4444-4000-8000-00000000000d"
START = "/home/dev/app"


def _snapshot(*paths: str) -> dict[str, Any]:
    ts = "2025-08-01T10:00:00.000Z"
    backups = {p: {"backupFileName": None, "version": 1, "backupTime": ts} for p in paths}
    return {"type": "file-history-snapshot", "messageId": "m", "isSnapshotUpdate": False,
            "snapshot": {"messageId": "m", "trackedFileBackups": backups, "timestamp": ts}}  # fmt: skip


def _paths(db: Path | str, session: str) -> list[str]:
    return sorted(p for (p,) in query(db, "SELECT path FROM snapshot_files WHERE session_id = ?", (session,)))


def test_a_session_that_changed_folder_keeps_its_start_folder(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, START, S)
    write_jsonl(path, [
        user_prompt(S, "2025-08-01T10:00:00.000Z", "go", cwd=START),
        assistant(S, "2025-08-01T10:00:01.000Z", msg_id="m1", cwd=f"{START}/frontend"),  # after `cd frontend`
        _snapshot("src/main.py"),
    ])  # fmt: skip
    scan(config, db)
    assert _paths(db, S) == [f"{START}/src/main.py"]
    # A later scan reads only the new lines: it still knows where the session started.
    write_jsonl(path, [
        assistant(S, "2025-08-01T10:05:00.000Z", msg_id="m2", cwd=f"{START}/frontend/deep"),
        _snapshot("src/main.py", "frontend/app.ts"),
    ], mode="ab")  # fmt: skip
    scan(config, db)
    assert _paths(db, S) == [f"{START}/frontend/app.ts", f"{START}/src/main.py"]


def test_a_resumed_file_resolves_against_the_folder_its_copied_lines_started_in(
    tmp_path: Path, db_target: Path | str
) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(transcript(config, START, RESUMED), [
        user_prompt(RESUMED, "2025-08-01T09:00:00.000Z", "first", cwd=START),  # copied from the earlier file
        user_prompt(RESUMED, "2025-08-02T09:00:00.000Z", "again", cwd=f"{START}/api"),
        _snapshot("README.md"),
    ])  # fmt: skip
    scan(config, db)
    assert _paths(db, RESUMED) == [f"{START}/README.md"]
