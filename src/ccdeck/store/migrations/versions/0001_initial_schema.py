"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 13:39:56.291150
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=False),
        sa.Column("agent_type", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("session_id", "agent_id"),
    )
    op.create_table(
        "events",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tool_name", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Text(), nullable=True),
        sa.Column("is_error", sa.Boolean(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_session", ["session_id", "ts"], unique=False)

    op.create_table(
        "files",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("config_dir", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("device", sa.Integer(), nullable=False),
        sa.Column("inode", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("session_hint", sa.Text(), nullable=True),
        sa.Column("cwd", sa.Text(), nullable=True),
        sa.Column("scanned_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("path"),
    )
    op.create_table(
        "history",
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("display", sa.Text(), nullable=False),
        sa.Column("project", sa.Text(), nullable=True),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("ts", "display"),
    )
    op.create_table(
        "live_sessions",
        sa.Column("config_dir", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("cwd", sa.Text(), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("config_dir", "pid"),
    )
    op.create_table(
        "problems",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("path", "offset"),
    )
    op.create_table(
        "responses",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=True),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_creation_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_5m_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_1h_tokens", sa.Integer(), nullable=False),
        sa.Column("web_search_requests", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index("ix_responses_session", ["session_id", "ts"], unique=False)
        batch_op.create_index("ix_responses_ts", ["ts"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("config_dir", sa.Text(), nullable=False),
        sa.Column("project_path", sa.Text(), nullable=True),
        sa.Column("git_branch", sa.Text(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("entrypoint", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("first_activity", sa.Float(), nullable=True),
        sa.Column("last_activity", sa.Float(), nullable=True),
        sa.Column("last_kind", sa.Text(), nullable=True),
        sa.Column("doing", sa.Text(), nullable=True),
        sa.Column("input_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("output_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cache_creation_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("models", sa.Text(), server_default="[]", nullable=False),
        sa.Column("unpriced_models", sa.Text(), server_default="[]", nullable=False),
        sa.Column("responses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("prompts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tool_uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("api_errors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("compactions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("subagents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("files_changed", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_last_activity", ["last_activity"], unique=False)
        batch_op.create_index("ix_sessions_project", ["project_path"], unique=False)

    op.create_table(
        "snapshot_files",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "path"),
    )
    op.create_table(
        "summaries",
        sa.Column("leaf_uuid", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("leaf_uuid"),
    )
    op.create_table(
        "titles",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "source"),
    )
    op.create_table(
        "tool_uses",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("agent_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tool_uses", schema=None) as batch_op:
        batch_op.create_index("ix_tool_uses_session", ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tool_uses", schema=None) as batch_op:
        batch_op.drop_index("ix_tool_uses_session")

    op.drop_table("tool_uses")
    op.drop_table("titles")
    op.drop_table("summaries")
    op.drop_table("snapshot_files")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_project")
        batch_op.drop_index("ix_sessions_last_activity")

    op.drop_table("sessions")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index("ix_responses_ts")
        batch_op.drop_index("ix_responses_session")

    op.drop_table("responses")
    op.drop_table("problems")
    op.drop_table("live_sessions")
    op.drop_table("history")
    op.drop_table("files")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_session")

    op.drop_table("events")
    op.drop_table("agents")
