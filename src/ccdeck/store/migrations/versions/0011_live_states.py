"""live_states: the live state each machine computed for its sessions, for the other machines sharing the database

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_states",
        sa.Column("session_id", sa.Text(), primary_key=True),
        sa.Column("machine", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("since", sa.Float(), nullable=True),
        sa.Column("blocked_on", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("doing", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_live_states_machine", "live_states", ["machine"])


def downgrade() -> None:
    op.drop_index("ix_live_states_machine", table_name="live_states")
    op.drop_table("live_states")
