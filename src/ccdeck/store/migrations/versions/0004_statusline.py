"""statusline: what Claude Code last told `ccdeck statusline` about each session

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statusline",
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("cwd", sa.Text(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("lines_added", sa.Integer(), nullable=True),
        sa.Column("lines_removed", sa.Integer(), nullable=True),
        sa.Column("context_used_pct", sa.Float(), nullable=True),
        sa.Column("context_window_size", sa.Integer(), nullable=True),
        sa.Column("five_hour_used_pct", sa.Float(), nullable=True),
        sa.Column("five_hour_resets_at", sa.Float(), nullable=True),
        sa.Column("seven_day_used_pct", sa.Float(), nullable=True),
        sa.Column("seven_day_resets_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("statusline", schema=None) as batch_op:
        batch_op.create_index("ix_statusline_updated", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statusline", schema=None) as batch_op:
        batch_op.drop_index("ix_statusline_updated")
    op.drop_table("statusline")
