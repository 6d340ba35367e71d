"""Sessions and usage of several machines in one database, through the API of a real server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core_fixtures import assistant, scan, transcript, usage, write_jsonl
from web.server_fixture import Serve

ALPHA = "aaaaaaaa-0000-4000-8000-0000000000a1"
BETA = "bbbbbbbb-0000-4000-8000-0000000000b1"


def _config(root: Path, session: str, cwd: str, tokens: int, ts: str = "2025-08-01T10:00:00Z") -> Path:
    write_jsonl(transcript(root, cwd, session), [
        assistant(session, ts, msg_id=f"m_{session}", request_id=f"r_{session}",
                  u=usage(tokens, 1), cwd=cwd),
    ])  # fmt: skip
    return root


def test_sessions_and_usage_filter_by_machine(serve: Serve, tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    scan(_config(tmp_path / "alpha", ALPHA, "/home/dev/zoo", 100), db, machine="alpha")
    with serve(_config(tmp_path / "beta", BETA, "/home/dev/farm", 1000), db, machine="beta") as live:
        rows = live.get("/api/sessions").json()["sessions"]
        assert {r["sessionId"]: r["machine"] for r in rows} == {ALPHA: "alpha", BETA: "beta"}
        only = live.get("/api/sessions", params={"machines": "alpha"}).json()
        assert [r["sessionId"] for r in only["sessions"]] == [ALPHA] and only["total"] == 1
        assert live.get(f"/api/sessions/{BETA}").json()["session"]["machine"] == "beta"
        assert live.get("/api/machines").json() == {"machines": ["alpha", "beta"]}
        points = live.get("/api/usage", params={"group": "machine", "since": "2025-08-01"}).json()["points"]
        assert {p["key"]: p["inputTokens"] for p in points} == {"alpha": 100, "beta": 1000}
        beta = live.get("/api/usage", params={"machines": "beta", "since": "2025-08-01"}).json()["points"]
        assert sum(p["inputTokens"] for p in beta) == 1000
        assert live.get("/api/sessions", params={"machines": "a,b\x07"}).status_code == 422
        assert live.get("/api/sessions", params={"machines": ""}).json()["total"] == 2  # empty: every machine


def test_summary_counts_the_machines_asked_for(serve: Serve, tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    scan(_config(tmp_path / "alpha", ALPHA, "/home/dev/zoo", 100, now), db, machine="alpha")
    with serve(_config(tmp_path / "beta", BETA, "/home/dev/farm", 1000, now), db, machine="beta") as live:
        assert live.get("/api/summary").json()["today"]["inputTokens"] == 1100
        alpha = live.get("/api/summary", params={"machines": "alpha"}).json()
        assert alpha["today"]["inputTokens"] == 100
        assert [p["projectPath"] for p in alpha["costByProject"]] == ["/home/dev/zoo"]
        assert live.get("/api/summary", params={"machines": "alpha,beta"}).json()["month"]["inputTokens"] == 1100
        assert live.get("/api/summary", params={"machines": ","}).status_code == 422
