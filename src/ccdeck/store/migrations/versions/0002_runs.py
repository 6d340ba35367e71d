"""runs and run_tasks: batches of headless Claude Code sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:12:40.118204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("claude_bin", sa.Text(), nullable=False),
        sa.Column("claude_version", sa.Text(), nullable=True),
        sa.Column("log_dir", sa.Text(), nullable=False),
        sa.Column("detached", sa.Boolean(), nullable=False),
        sa.Column("supervisor_pid", sa.Integer(), nullable=True),
        sa.Column("supervisor_started", sa.Float(), nullable=True),
        sa.Column("stop_requested", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_created", ["created_at"], unique=False)

    op.create_table(
        "run_tasks",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("task_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("cwd", sa.Text(), nullable=False),
        sa.Column("config_dir", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempts", sa.Text(), server_default="[]", nullable=False),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("pid_started", sa.Float(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("api_seconds", sa.Float(), nullable=True),
        sa.Column("num_turns", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("cost_estimated", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("total_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("model_usage", sa.Text(), server_default="{}", nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("subtype", sa.Text(), nullable=True),
        sa.Column("terminal_reason", sa.Text(), nullable=True),
        sa.Column("api_error_status", sa.Integer(), nullable=True),
        sa.Column("permission_denials", sa.Text(), server_default="[]", nullable=False),
        sa.Column("files_changed", sa.Text(), server_default="[]", nullable=False),
        sa.Column("last_tool", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worktree", sa.Text(), nullable=True),
        sa.Column("branch", sa.Text(), nullable=True),
        sa.Column("base_commit", sa.Text(), nullable=True),
        sa.Column("diff_stat", sa.Text(), nullable=True),
        sa.Column("stop_requested", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "task_id"),
    )
    with op.batch_alter_table("run_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_run_tasks_session", ["session_id"], unique=False)
        batch_op.create_index("ix_run_tasks_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("run_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_run_tasks_status")
        batch_op.drop_index("ix_run_tasks_session")
    op.drop_table("run_tasks")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_created")
    op.drop_table("runs")
