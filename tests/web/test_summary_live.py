"""The summary stays one live model: a response appended to a transcript, or a rate limit recorded by
`ccdeck statusline`, while a real server runs, reaches a WebSocket client as a `summary` message equal to a fresh
`/api/summary`."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from websockets.sync.client import ClientConnection, connect

from ccdeck import statusline
from core_fixtures import OPUS_4, SONNET_4, assistant, dumps, transcript, usage, write_jsonl
from web.server_fixture import Serve

pytestmark = pytest.mark.slow
SESSION = "5b000000-0000-4000-8000-000000000001"
CWD = "/home/dev/alpha"
STATUSLINE = Path(__file__).parents[1] / "fixtures" / "statusline"


def _config(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config"
    path = transcript(config, CWD, SESSION)
    ago = datetime.now(UTC) - timedelta(minutes=8)
    write_jsonl(path, [assistant(SESSION, ago, msg_id="m-1", request_id="q-1", model=SONNET_4, cwd=CWD)])
    return config, path


def _next_summary(ws: ClientConnection, accept: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message = orjson.loads(ws.recv(timeout=10))
        if message["type"] == "summary" and accept(message["summary"]):
            summary: dict[str, Any] = message["summary"]
            return summary
    raise AssertionError("no such summary message within 10 s")


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """All but what moves with the clock alone: when it was made and the block's projection to its end."""
    block = summary["block"] and {k: v for k, v in summary["block"].items() if k != "projection"}
    return {**{k: v for k, v in summary.items() if k != "generatedAt"}, "block": block}


def _models(summary: dict[str, Any]) -> dict[str, int]:
    return {r["model"]: r["totalTokens"] for r in summary["costByModel"]}


def test_appended_response_reaches_the_summary(serve: Serve, tmp_path: Path, db_target: Path | str) -> None:
    config, path = _config(tmp_path)
    with serve(config, db_target) as server, connect(server.url.replace("http", "ws") + "/ws") as ws:
        first = orjson.loads(ws.recv(timeout=15))
        assert first["type"] == "snapshot"
        before = first["summary"]
        assert _models(before) == {SONNET_4: 100} and before["block"]["entries"] == 1
        line = assistant(SESSION, datetime.now(UTC), msg_id="m-2", request_id="q-2", model=OPUS_4, cwd=CWD,
                         u=usage(1_000, 2_000, 0, 0))  # fmt: skip
        with path.open("ab") as f:
            f.write(dumps(line) + b"\n")
        pushed = _next_summary(ws, lambda s: OPUS_4 in _models(s))
        fresh = server.get("/api/summary").json()
    assert _models(pushed) == {SONNET_4: 100, OPUS_4: 3_000}
    assert pushed["costByProject"][0]["projectPath"] == CWD and pushed["costByProject"][0]["totalTokens"] == 3_100
    assert pushed["block"]["entries"] == 2 and pushed["block"]["totalTokens"] == 3_100
    assert pushed["block"]["costUSD"] > before["block"]["costUSD"]
    assert _comparable(pushed) == _comparable(fresh)


def test_recorded_rate_limits_reach_the_summary(serve: Serve, tmp_path: Path) -> None:
    # SQLite only: `ccdeck statusline` (the standard library alone) records into a SQLite file, not into PostgreSQL.
    config, _ = _config(tmp_path)
    db = tmp_path / "ccdeck.db"
    with serve(config, db) as server, connect(server.url.replace("http", "ws") + "/ws") as ws:
        assert orjson.loads(ws.recv(timeout=15))["summary"]["rateLimits"] is None
        raw = (STATUSLINE / "subscriber.json").read_bytes()
        assert statusline.run({"--db": str(db)}, io.BytesIO(raw), io.StringIO(), {}) == 0  # as Claude Code runs it
        pushed = _next_summary(ws, lambda s: s["rateLimits"] is not None)
        fresh = server.get("/api/summary").json()
    assert pushed["rateLimits"]["fiveHour"]["usedPercent"] == 23.5
    assert pushed["rateLimits"]["sevenDay"]["usedPercent"] == 41
    assert _comparable(pushed) == _comparable(fresh)
