"""search: FTS5 indexes over the timeline's prompts, answers and tool calls, and over session titles

Both are external-content tables: they hold only the index, and `snippet()` reads the text from `events.text` and
`titles.text` (custom and AI titles; a session's shown title may be its first prompt, already indexed as an event)
by rowid, so the timeline's text is not stored twice. Each row is indexed in the transaction that
stores it, so a crash keeps both or neither: events by one `INSERT ... SELECT` per ingest transaction
(`store/row_writes.py`; events are only inserted), titles by triggers. Per-row triggers on `events` made a cold scan
several times slower: FTS5 flushes its pending terms at the end of every statement, so each row became a segment.
Only some events are indexed (prompts, answers, tool calls), so the index must never be rebuilt with FTS5's
'rebuild' command, which would index every row of `events`. ccdeck never runs VACUUM, which may renumber the rowids
of `events` and `titles` (neither has an INTEGER PRIMARY KEY) that the indexes point at.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The event kinds a search finds. A change here needs a new migration (triggers and backfill).
_KINDS = "('prompt', 'answer', 'tool_use')"

CREATE = (
    "CREATE VIRTUAL TABLE events_fts USING fts5(text, content='events', content_rowid='rowid')",
    "CREATE VIRTUAL TABLE titles_fts USING fts5(text, content='titles', content_rowid='rowid')",
    """CREATE TRIGGER titles_fts_insert AFTER INSERT ON titles BEGIN
        INSERT INTO titles_fts(rowid, text) VALUES (new.rowid, new.text);
    END""",
    """CREATE TRIGGER titles_fts_update AFTER UPDATE OF text ON titles WHEN old.text IS NOT new.text BEGIN
        INSERT INTO titles_fts(titles_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO titles_fts(rowid, text) VALUES (new.rowid, new.text);
    END""",
    """CREATE TRIGGER titles_fts_delete AFTER DELETE ON titles BEGIN
        INSERT INTO titles_fts(titles_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END""",
)
BACKFILL = (
    f"INSERT INTO events_fts(rowid, text) SELECT rowid, text FROM events WHERE kind IN {_KINDS}",
    "INSERT INTO titles_fts(rowid, text) SELECT rowid, text FROM titles",
)
DROP = (
    *(f"DROP TRIGGER titles_fts_{op_}" for op_ in ("insert", "update", "delete")),
    "DROP TABLE events_fts",
    "DROP TABLE titles_fts",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # FTS5 is SQLite's: on PostgreSQL, search reads the tables themselves (`store.search`)
    for statement in (*CREATE, *BACKFILL):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROP:
        op.execute(statement)
