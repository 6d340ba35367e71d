"""task cache saving: what each task's cache reads saved, priced when its row is written; tasks indexed in order

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:45:00.000000

`{"usd": float | null, "unpriced": [model, ...]}`, written by the supervisor with the rest of the row, so that
reading a run (`status`) needs no price table. NULL in rows written before it: those are priced when read.
The index reads a run's tasks in their order without sorting them (a 10,000-task run is 20 MB of rows).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cache_saving", sa.Text(), nullable=True))
    op.create_index("ix_run_tasks_position", "run_tasks", ["run_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_run_tasks_position", table_name="run_tasks")
    with op.batch_alter_table("run_tasks", schema=None) as batch_op:
        batch_op.drop_column("cache_saving")
