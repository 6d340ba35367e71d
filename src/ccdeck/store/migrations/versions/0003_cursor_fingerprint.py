"""files.fingerprint and files.mtime_ns: a transcript rewritten in place is read again

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000

Both are NULL for the cursors already stored: those files behave as before until their cursor is next written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("mtime_ns", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("mtime_ns")
        batch_op.drop_column("fingerprint")
