"""The schema revision this ccdeck writes, with the standard library only: the read-only fast path checks it with
one query, without SQLAlchemy or Alembic."""

from __future__ import annotations

# The newest migration's revision id; `test_migrations` checks it matches the scripts.
HEAD_REVISION = "0012"
