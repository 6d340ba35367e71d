"""The JSON API on a real store, through a real uvicorn on loopback."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson

import synthetic
from web.server_fixture import LiveServer

# The generated config (web.server_fixture.SERVED) has 11 session ids, each with a prompt and a response. Three are
# resumed sessions that start with copies of an earlier session's responses; a copy that ties its original (same
# usage, same time) is billed to the one stored first, which leaves each of the 11 with at least one response.
SESSIONS = 11
BILLED_SESSIONS = 11


def _sessions_with_messages(config: Path) -> int:
    """Session ids with a prompt or a response, counted from the files without ccdeck."""
    ids = set()
    for path in synthetic.iter_transcripts(config):
        for raw in path.read_bytes().splitlines():
            line = orjson.loads(raw)
            if line.get("type") in ("user", "assistant") and not line.get("isSidechain"):
                ids.add(line["sessionId"])
    return len(ids)


def test_health_and_summary(live_server: LiveServer) -> None:
    health = live_server.get("/api/health").json()
    assert health["status"] == "ok"
    assert health["scan"]["running"] is False
    summary = live_server.get("/api/summary").json()
    assert set(summary) >= {"today", "week", "month", "active", "generatedAt"}
    assert set(summary["today"]) == {
        "inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens", "costUSD"
    }  # fmt: skip


def test_sessions_filter_sort_and_pages(live_server: LiveServer) -> None:
    everything = live_server.get("/api/sessions", params={"pageSize": 500}).json()
    count = _sessions_with_messages(live_server.config_dir)
    assert everything["total"] == len(everything["sessions"]) == count == SESSIONS
    assert sum(1 for s in everything["sessions"] if s["totalTokens"]) == BILLED_SESSIONS
    expected = synthetic.read_manifest(live_server.config_dir)["expected"]  # type: ignore[index]
    assert sum(s["outputTokens"] for s in everything["sessions"]) == expected["output_tokens"]
    assert sum(s["cacheReadTokens"] for s in everything["sessions"]) == expected["cache_read_tokens"]
    row = everything["sessions"][0]
    for key in ("sessionId", "projectPath", "totalTokens", "costUSD", "models", "filesChanged", "state", "title"):
        assert key in row
    last = [s["lastActivity"] for s in everything["sessions"]]
    assert last == sorted(last, reverse=True)

    by_cost = live_server.get("/api/sessions", params={"sort": "cost", "pageSize": 500}).json()["sessions"]
    costs = [s["costUSD"] or 0 for s in by_cost]
    assert costs == sorted(costs, reverse=True)

    page2 = live_server.get("/api/sessions", params={"pageSize": 4, "page": 2}).json()
    assert page2["total"] == count
    assert [s["sessionId"] for s in page2["sessions"]] == [s["sessionId"] for s in everything["sessions"][4:8]]

    pipeline = live_server.get("/api/sessions", params={"project": "data_pipeline"}).json()
    assert 1 <= pipeline["total"] < count
    assert all("data_pipeline" in s["projectPath"] for s in pipeline["sessions"])
    ended = live_server.get("/api/sessions", params={"state": "ended"}).json()
    assert ended["total"] == count
    assert live_server.get("/api/sessions", params={"state": "working"}).json()["total"] == 0
    assert live_server.get("/api/sessions", params={"state": "bogus"}).status_code == 422
    day = everything["sessions"][-1]["lastActivity"][:10]
    since_day = live_server.get("/api/sessions", params={"since": day, "pageSize": 500}).json()["sessions"]
    assert since_day and all(s["lastActivity"][:10] >= day for s in since_day)
    until_day = live_server.get("/api/sessions", params={"until": day, "pageSize": 500}).json()
    assert 1 <= until_day["total"] < everything["total"]
    assert live_server.get("/api/sessions", params={"since": "2099-01-01"}).json()["total"] == 0
    assert live_server.get("/api/sessions", params={"since": "yesterday"}).status_code == 422


def test_session_detail_and_timeline(live_server: LiveServer) -> None:
    sessions = live_server.get("/api/sessions", params={"sort": "tokens", "pageSize": 1}).json()["sessions"]
    sid = sessions[0]["sessionId"]
    detail = live_server.get(f"/api/sessions/{sid}").json()
    assert detail["session"]["sessionId"] == sid
    assert sum(m["totalTokens"] for m in detail["costByModel"]) == detail["session"]["totalTokens"]
    assert sum(p["inputTokens"] + p["outputTokens"] + p["cacheCreationTokens"] + p["cacheReadTokens"]
               for p in detail["tokensOverTime"]) == detail["session"]["totalTokens"]  # fmt: skip
    assert {"filesChanged", "subagents", "toolUses"} <= set(detail)
    timeline = live_server.get(f"/api/sessions/{sid}/timeline", params={"pageSize": 5}).json()
    assert timeline["total"] > 5 and len(timeline["items"]) == 5
    stamps = [i["timestamp"] for i in timeline["items"]]
    assert stamps == sorted(stamps)
    assert live_server.get("/api/sessions/no-such-session").status_code == 404


def test_timeline_after_cursor_and_newest_first(live_server: LiveServer) -> None:
    sid = live_server.get("/api/sessions", params={"sort": "tokens", "pageSize": 1}).json()["sessions"][0]["sessionId"]
    url = f"/api/sessions/{sid}/timeline"
    whole = live_server.get(url, params={"pageSize": 1000}).json()
    items = whole["items"]
    assert len(items) == whole["total"] > 5
    cut = items[len(items) // 2]["timestamp"]
    tail = [i for i in items if i["timestamp"] >= cut]
    after = live_server.get(url, params={"pageSize": 1000, "after": cut}).json()
    assert after["items"] == tail and after["total"] == whole["total"]
    epoch_seconds = datetime.fromisoformat(cut).timestamp()
    assert live_server.get(url, params={"pageSize": 1000, "after": epoch_seconds}).json()["items"] == tail
    paged = live_server.get(url, params={"pageSize": 2, "page": 2, "after": cut}).json()["items"]
    assert paged == tail[2:4]
    last = live_server.get(url, params={"pageSize": 1000, "after": items[-1]["timestamp"]}).json()["items"]
    assert last and last[-1] == items[-1]
    assert live_server.get(url, params={"after": "2099-01-01T00:00:00Z"}).json()["items"] == []
    newest = live_server.get(url, params={"pageSize": 3, "order": "desc"}).json()
    assert newest["items"] == items[::-1][:3] and newest["total"] == whole["total"]
    for bad in ["soon", "nan", "inf", "2025-01-01T00:00:00"]:
        assert live_server.get(url, params={"after": bad}).status_code == 422, bad
    assert live_server.get(url, params={"order": "sideways"}).status_code == 422


def test_usage_and_projects(live_server: LiveServer) -> None:
    usage = live_server.get("/api/usage", params={"bucket": "day", "group": "model", "tz": "UTC"}).json()
    sessions = live_server.get("/api/sessions", params={"pageSize": 500}).json()["sessions"]
    assert sum(p["totalTokens"] for p in usage["points"]) == sum(s["totalTokens"] for s in sessions)
    by_type = live_server.get("/api/usage", params={"bucket": "month", "group": "type"}).json()["points"]
    assert {p["key"] for p in by_type} == {"input", "output", "cacheCreation", "cacheRead"}
    assert live_server.get("/api/usage", params={"tz": "Mars/Base"}).status_code == 422
    projects = live_server.get("/api/projects").json()["projects"]
    assert sum(p["sessions"] for p in projects) == _sessions_with_messages(live_server.config_dir)
    assert all(isinstance(p["models"], list) for p in projects)
    assert any("claude-sonnet-4-5-20250929" in p["models"] for p in projects)


def test_metrics_and_docs(live_server: LiveServer) -> None:
    metrics = live_server.get("/metrics").text
    assert f'ccdeck_sessions{{state="ended"}} {_sessions_with_messages(live_server.config_dir)}' in metrics
    assert "ccdeck_tokens_total{model=" in metrics
    assert "ccdeck_ingest_lag_seconds" in metrics
    assert live_server.get("/docs").status_code == 200
    assert "/api/sessions" in live_server.get("/openapi.json").json()["paths"]
