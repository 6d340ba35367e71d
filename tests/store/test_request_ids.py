"""Request ids: the key's part (`request_id_of`), stored with every transcript response, and filled by migration
0010 into the responses stored before it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from ccdeck.claude.message import request_id_of, response_key
from ccdeck.db_target import as_target
from ccdeck.store.database import MIGRATIONS, open_engine
from ccdeck.store.store import Store
from core_fixtures import assistant, query, scan, transcript, user_prompt, write_jsonl

SESSION = "12121212-0000-4000-8000-000000000001"


def test_the_request_id_of_a_key() -> None:
    assert request_id_of(response_key("msg_1", "req_1", "u")) == "req_1"
    assert request_id_of(response_key("msg_1", None, "u")) is None
    assert request_id_of(response_key(None, "req_1", "u-1:x")) is None
    assert request_id_of("otel:req_1") == "req_1"  # a telemetry key holds it the same way


def _config(config: Path) -> None:
    write_jsonl(transcript(config, "/p", SESSION), [
        user_prompt(SESSION, "2026-01-01T10:00:00.000Z", "hi"),
        assistant(SESSION, "2026-01-01T10:00:01.000Z", msg_id="msg_1", request_id="req_1"),
        assistant(SESSION, "2026-01-01T10:00:02.000Z", msg_id="msg_2", request_id=None),
    ])  # fmt: skip


def test_ingest_stores_the_request_id(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    _config(config)
    scan(config, db)
    assert query(db, "SELECT key, request_id FROM responses ORDER BY key") == [("msg_1:req_1", "req_1"),
                                                                             ("msg_2", None)]  # fmt: skip
    assert query(db, "SELECT source FROM sessions") == [("transcript",)]


def _alembic(db: Path | str, revision: str, up: bool) -> None:
    engine = open_engine(as_target(db))
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.upgrade if up else command.downgrade)(config, revision)
    finally:
        engine.dispose()


def _columns(db: Path | str, table: str) -> set[str]:
    if isinstance(db, Path):
        return {row[1] for row in query(db, f"PRAGMA table_info({table})")}
    sql = "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
    return {row[0] for row in query(db, sql, (table,))}


def test_migration_0010_fills_the_request_ids_of_stored_responses(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    _config(config)
    scan(config, db)
    _alembic(db, "0008", up=False)
    assert "request_id" not in _columns(db, "responses")
    Store.open(db).close()  # migrates to head
    assert query(db, "SELECT key, request_id FROM responses ORDER BY key") == [("msg_1:req_1", "req_1"),
                                                                             ("msg_2", None)]  # fmt: skip
    assert query(db, "SELECT source, user_email, host FROM sessions") == [("transcript", None, None)]
