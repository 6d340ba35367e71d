"""Session aggregates: both ways of finding a session's latest summary give the same titles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ccdeck.store import session_stats
from ccdeck.store.store import Store
from core_fixtures import assistant, query, scan, transcript, user_prompt, write_big_config, write_jsonl

A = "aaaaaaaa-3333-4000-8000-00000000000a"
B = "bbbbbbbb-4444-4000-8000-00000000000b"
C = "cccccccc-5555-4000-8000-00000000000c"
SAME_TIME = "2025-08-01T10:00:05.000Z"


def _summary(leaf: str, words: str) -> dict[str, Any]:
    return {"type": "summary", "summary": words, "leafUuid": leaf}


def _config(config: Path) -> None:
    write_big_config(config, 150_000, seed=21)
    # A: two lines at the same time, both leaves of a summary: the later line's wins. B: no summary. C: a custom
    # title besides a summary.
    write_jsonl(transcript(config, "/p", A), [
        user_prompt(A, "2025-08-01T10:00:00.000Z", "first prompt of A", uid="a-1"),
        assistant(A, SAME_TIME, uid="a-2", msg_id="m_a2"),
        assistant(A, SAME_TIME, uid="a-3", msg_id="m_a3"),
    ])  # fmt: skip
    write_jsonl(
        transcript(config, "/p", B), [user_prompt(B, "2025-08-01T11:00:00.000Z", "  B's   prompt  ", uid="b-1")]
    )
    write_jsonl(transcript(config, "/p", C), [
        user_prompt(C, "2025-08-01T12:00:00.000Z", "C's prompt", uid="c-1"),
        {"type": "custom-title", "customTitle": "Named by hand", "sessionId": C},
    ])  # fmt: skip
    write_jsonl(transcript(config, "/q", "dddddddd-6666-4000-8000-00000000000d"), [
        _summary("a-2", "Summary of a-2"), _summary("a-3", "Summary of a-3"), _summary("c-1", "Summary of C"),
    ])  # fmt: skip


@pytest.mark.parametrize("summaries", ["few", "many"])
def test_titles_are_the_same_whichever_way_summaries_are_found(
    tmp_path: Path, db_target: Path | str, summaries: str
) -> None:
    config, db = tmp_path / "config", db_target
    _config(config)
    scan(config, db)
    titles = "SELECT session_id, title FROM sessions ORDER BY session_id"
    scanned = query(db, titles)
    assert (A, "Summary of a-3") in scanned
    assert (B, "B's prompt") in scanned
    assert (C, "Named by hand") in scanned
    # Refresh every session again, finding summaries from the summaries (few) or from each session's lines (many).
    count = 0 if summaries == "few" else 10**9
    store = Store.open(db)
    try:
        store.write(lambda conn: conn.exec_driver_sql("UPDATE sessions SET title = NULL"))
        ids = [sid for sid, _ in scanned]
        store.write(lambda conn: session_stats.refresh_sessions(conn, ids, summary_count=count))
    finally:
        store.close()
    assert query(db, titles) == scanned
