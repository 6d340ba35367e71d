"""telemetry: responses.request_id, and the sessions known from OpenTelemetry

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 06:00:00.000000

responses.request_id: the API's request id, so that a response seen both in a transcript and in telemetry counts
once; filled here from the stored keys (`message.id:requestId`). sessions.source ("transcript" or "telemetry"),
user_email, user_account, host: what telemetry says of a session.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ccdeck.claude.message import request_id_of

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None
_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Text(), nullable=True))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.Text(), nullable=False, server_default="transcript"))
        batch_op.add_column(sa.Column("user_email", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("user_account", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("host", sa.Text(), nullable=True))
    _fill_request_ids()
    op.create_index("ix_responses_request_id", "responses", ["request_id"])


def _fill_request_ids() -> None:
    """The request id each stored key holds, computed in Python: splitting a string is not portable SQL."""
    conn = op.get_bind()
    table = sa.table("responses", sa.column("key", sa.Text()), sa.column("request_id", sa.Text()))
    update = table.update().where(table.c.key == sa.bindparam("k")).values(request_id=sa.bindparam("r"))
    keys = [key for (key,) in conn.execute(sa.select(table.c.key).where(table.c.key.contains(":")))]
    rows = [{"k": key, "r": rid} for key in keys if (rid := request_id_of(key)) is not None]
    for start in range(0, len(rows), _BATCH):
        conn.execute(update, rows[start : start + _BATCH])


def downgrade() -> None:
    op.drop_index("ix_responses_request_id", table_name="responses")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        for column in ("host", "user_account", "user_email", "source"):
            batch_op.drop_column(column)
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("request_id")
