"""usage_cursors: a big scan stores usage first (responses, sessions), then everything else

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00.000000

Empty at first: a usage pass reads on from `files` (the complete cursor) where that one is further.
sessions.detail_activity: the last activity a complete pass has seen; every stored session has been.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_cursors",
        sa.Column("path", sa.Text(), primary_key=True),
        sa.Column("config_dir", sa.Text(), nullable=False),
        sa.Column("device", sa.Integer(), nullable=False),
        sa.Column("inode", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("mtime_ns", sa.Integer(), nullable=False),
    )
    op.create_index("ix_usage_cursors_config_dir", "usage_cursors", ["config_dir"])
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail_activity", sa.Float(), nullable=True))
    op.execute("UPDATE sessions SET detail_activity = last_activity")


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("detail_activity")
    op.drop_index("ix_usage_cursors_config_dir", table_name="usage_cursors")
    op.drop_table("usage_cursors")
