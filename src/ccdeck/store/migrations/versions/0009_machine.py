"""machine: every stored row carries the machine it came from; many machines may share one database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:00:00.000000

`sessions`, `responses` and `runs` get a `machine` column. The cursors (`files`, `usage_cursors`) and the live
registry (`live_sessions`) become keyed by machine too: two machines with the same path keep separate cursors.
The rows already stored get the name of the machine running this migration (`CCDECK_MACHINE`, else its host
name): that is where they were ingested, as a database was one machine's until now.
A downgrade keeps the cursors and registry rows of that machine only (the others are read again from the start).
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

from ccdeck.config import MACHINE
from ccdeck.errors import UsageError

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_STAMPED = ("sessions", "responses", "runs")
# Table -> (its key before, the index to make again after the table is rebuilt).
_REKEYED: dict[str, tuple[tuple[str, ...], tuple[str, str] | None]] = {
    "files": (("path",), None),
    "usage_cursors": (("path",), ("ix_usage_cursors_config_dir", "config_dir")),
    "live_sessions": (("config_dir", "pid"), None),
}


def _this_machine() -> str:
    try:
        return MACHINE.from_env(os.environ)
    except UsageError:
        return MACHINE.default()


def upgrade() -> None:
    machine = _this_machine()
    for name in _STAMPED:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("machine", sa.Text(), nullable=False, server_default=""))
        op.execute(sa.text(f"UPDATE {name} SET machine = :machine").bindparams(machine=machine))
    for name, (key, index) in _REKEYED.items():
        _rebuild(name, ("machine", *key), index, machine, with_machine=True)


def downgrade() -> None:
    machine = _this_machine()
    for name, (key, index) in _REKEYED.items():
        _rebuild(name, key, index, machine, with_machine=False)
    for name in reversed(_STAMPED):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("machine")


def _rebuild(name: str, key: tuple[str, ...], index: tuple[str, str] | None, machine: str, with_machine: bool) -> None:
    """Make `name` again with primary key `key`, with (upgrade: every row stamped `machine`) or without (downgrade:
    `machine`'s rows only) the `machine` column. A new table, a copy, a rename: a primary key changes the same way
    on SQLite and PostgreSQL."""
    old = sa.Table(name, sa.MetaData(), autoload_with=op.get_bind())
    kept = [c.name for c in old.columns if c.name != "machine"]
    columns = [
        sa.Column(c.name, c.type, nullable=c.nullable and c.name not in key) for c in old.columns if c.name in kept
    ]
    if with_machine:
        columns.insert(0, sa.Column("machine", sa.Text(), nullable=False))
    temporary = f"{name}_0009"
    new = op.create_table(temporary, *columns, sa.PrimaryKeyConstraint(*key))
    rows = sa.select(*(old.c[c] for c in kept))
    if with_machine:
        op.execute(
            sa.insert(new).from_select(["machine", *kept], sa.select(sa.literal(machine), *rows.selected_columns))
        )
    else:
        op.execute(sa.insert(new).from_select(kept, rows.where(old.c.machine == machine)))
    if index is not None:
        op.drop_index(index[0], table_name=name)
    op.drop_table(name)
    op.rename_table(temporary, name)
    if index is not None:
        op.create_index(index[0], name, [index[1]])
