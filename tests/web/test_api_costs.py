"""Costs in the JSON API with self-made transcripts: an unpriced part makes every total it is in null, and each
model's cost says whose list price it is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core_fixtures import assistant, transcript, usage, user_prompt, write_jsonl
from web.server_fixture import LiveServer, Serve

GLM, MIXED, EMPTY = (f"7777777{n}-0000-4000-8000-000000000007" for n in range(3))


@pytest.fixture
def server(serve: Serve, tmp_path: Path, db_target: Path | str) -> Iterator[LiveServer]:
    config = tmp_path / "config"
    now = datetime.now(UTC) - timedelta(minutes=5)
    at = [(now + timedelta(seconds=s)).isoformat() for s in range(6)]
    write_jsonl(transcript(config, "/w/glm", GLM), [
        user_prompt(GLM, at[0], "hi", cwd="/w/glm"),
        assistant(GLM, at[1], msg_id="g1", model="MiniMax-M2.1", u=usage(100, 20), cwd="/w/glm"),
    ])  # fmt: skip
    write_jsonl(transcript(config, "/w/glm", EMPTY), [user_prompt(EMPTY, at[0], "no answer", cwd="/w/glm")])
    write_jsonl(transcript(config, "/w/mixed", MIXED), [
        user_prompt(MIXED, at[0], "hi", cwd="/w/mixed"),
        assistant(MIXED, at[1], msg_id="m1", model="claude-sonnet-4-5-20250929", u=usage(100, 20), cwd="/w/mixed"),
        assistant(MIXED, at[2], msg_id="m2", model="glm-4.6", u=usage(100, 20), cwd="/w/mixed"),
        assistant(MIXED, at[3], msg_id="m3", model="MiniMax-M2.1", u=usage(100, 20), cwd="/w/mixed",
                  isSidechain=True, agentId="a1"),
        assistant(MIXED, at[4], msg_id="m4", model="claude-sonnet-4-5-20250929", u=usage(100, 20), cwd="/w/mixed",
                  isSidechain=True, agentId="a2"),
    ])  # fmt: skip
    with serve(config, db_target) as live:
        yield live


def test_unpriced_parts_make_api_totals_null(server: LiveServer) -> None:
    projects = {p["projectPath"]: p for p in server.get("/api/projects").json()["projects"]}
    assert projects["/w/glm"]["costUSD"] is None  # one unpriced session and one without tokens: not $0
    assert projects["/w/mixed"]["costUSD"] is None
    summary = server.get("/api/summary").json()
    assert summary["today"]["costUSD"] is None or summary["week"]["costUSD"] is None
    assert summary["month"]["costUSD"] is None
    sessions = {s["sessionId"]: s for s in server.get("/api/sessions").json()["sessions"]}
    assert sessions[GLM]["costUSD"] is None
    assert sessions[MIXED]["costUSD"] is None
    assert sessions[EMPTY]["costUSD"] == 0.0


def test_session_detail_costs(server: LiveServer) -> None:
    detail = server.get(f"/api/sessions/{MIXED}").json()
    by_model = {m["model"]: m for m in detail["costByModel"]}
    assert by_model["claude-sonnet-4-5-20250929"]["priceSource"] == "anthropic"
    assert by_model["glm-4.6"]["priceSource"] == "zai"
    assert by_model["glm-4.6"]["costUSD"] > 0
    assert by_model["MiniMax-M2.1"] | {"costUSD": None, "priceSource": None} == by_model["MiniMax-M2.1"]
    agents = {a["agentId"]: a for a in detail["subagents"]}
    assert agents["a1"]["costUSD"] is None
    assert agents["a2"]["costUSD"] > 0
    assert any(p["costUSD"] is None for p in detail["tokensOverTime"])
    assert "<synthetic>" not in detail["session"]["models"]
