"""GET /api/search through a real uvicorn on the generated config."""

from __future__ import annotations

from core_fixtures import query
from web.server_fixture import LiveServer


def test_search_pages_newest_first(live_server: LiveServer) -> None:
    # A word of a tool call the generator wrote, read from the store without ccdeck.
    text = query(live_server.db, "SELECT text FROM events WHERE kind = 'tool_use' ORDER BY ts DESC LIMIT 1")[0][0]
    word = text.split(":")[0]  # the tool's name
    everything = live_server.get("/api/search", params={"q": word, "pageSize": 200}).json()
    assert everything["total"] >= 1 and everything["page"] == 1 and everything["pageSize"] == 200
    stamps = [r["timestamp"] for r in everything["results"]]
    assert stamps == sorted(stamps, reverse=True)
    assert {"sessionId", "projectPath", "title", "kind", "snippet", "timestamp"} == set(everything["results"][0])
    assert all("\x02" in r["snippet"] for r in everything["results"])
    second = live_server.get("/api/search", params={"q": word, "pageSize": 1, "page": 2}).json()
    assert second["total"] == everything["total"]
    assert second["results"] == everything["results"][1:2]


def test_search_hostile_and_bad_queries(live_server: LiveServer) -> None:
    for q in ['"', "NEAR(", "AND OR", "*", "🦘 日本語", "x" * 1000]:
        response = live_server.get("/api/search", params={"q": q})
        assert response.status_code == 200, q
        assert response.json()["total"] == len(response.json()["results"])
    assert live_server.get("/api/search", params={"q": "x" * 1001}).status_code == 422
    assert live_server.get("/api/search", params={"q": " ".join(["w"] * 65)}).status_code == 422
    assert live_server.get("/api/search").status_code == 422
    assert live_server.get("/api/search", params={"q": "a", "pageSize": 0}).status_code == 422
