"""registry status: what the live registry says of a session beyond `status` (Claude Code 2.1.330)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("waiting_for", sa.Text()),  # with status `waiting`: "permission prompt", "input needed", ...
    ("status_updated_at", sa.Float()),
    ("kind", sa.Text()),  # interactive | bg
    ("proc_start", sa.Text()),  # field 22 of /proc/<pid>/stat, to tell a reused pid apart
    ("name", sa.Text()),
    ("job_id", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
