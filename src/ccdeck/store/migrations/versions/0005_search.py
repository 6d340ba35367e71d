"""search: FTS5 indexes over the timeline's prompts, answers and tool calls, and over session titles

Both are external-content tables: they hold only the index, and `snippet()` reads the text from `events.text` and
`sessions.title` by rowid, so the timeline's text is not stored twice. Each row is indexed in the transaction that
stores it, so a crash keeps both or neither: events by one `INSERT ... SELECT` per ingest transaction
(`store/batch.py`; events are only ever inserted), titles by triggers. Per-row triggers on `events` made a cold scan
several times slower: FTS5 flushes its pending terms at the end of every statement, so each row became a segment.
Only some events are indexed (prompts, answers, tool calls), so the index must never be rebuilt with FTS5's
'rebuild' command, which would index every row of `events`. ccdeck never runs VACUUM, which may renumber the rowids
of `events` and `sessions` (neither has an INTEGER PRIMARY KEY) that the indexes point at.

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
    "CREATE VIRTUAL TABLE sessions_fts USING fts5(title, content='sessions', content_rowid='rowid')",
    """CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions WHEN new.title IS NOT NULL BEGIN
        INSERT INTO sessions_fts(rowid, title) VALUES (new.rowid, new.title);
    END""",
    # Every refresh of a session's aggregates sets its title; only a changed one touches the index.
    """CREATE TRIGGER sessions_fts_update AFTER UPDATE OF title ON sessions WHEN old.title IS NOT new.title BEGIN
        INSERT INTO sessions_fts(sessions_fts, rowid, title) SELECT 'delete', old.rowid, old.title
            WHERE old.title IS NOT NULL;
        INSERT INTO sessions_fts(rowid, title) SELECT new.rowid, new.title WHERE new.title IS NOT NULL;
    END""",
    """CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions WHEN old.title IS NOT NULL BEGIN
        INSERT INTO sessions_fts(sessions_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    END""",
)
BACKFILL = (
    f"INSERT INTO events_fts(rowid, text) SELECT rowid, text FROM events WHERE kind IN {_KINDS}",
    "INSERT INTO sessions_fts(rowid, title) SELECT rowid, title FROM sessions WHERE title IS NOT NULL",
)
DROP = (
    *(f"DROP TRIGGER sessions_fts_{op_}" for op_ in ("insert", "update", "delete")),
    "DROP TABLE events_fts",
    "DROP TABLE sessions_fts",
)


def upgrade() -> None:
    for statement in (*CREATE, *BACKFILL):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP:
        op.execute(statement)
