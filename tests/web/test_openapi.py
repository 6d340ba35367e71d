"""The OpenAPI document carries every declared shape: the routes' responses, the WebSocket messages, the runs body."""

from __future__ import annotations

from pathlib import Path

from ccdeck.orchestrator.spec import PUBLIC_OPTIONS
from ccdeck.shapes.common import RunOptions
from ccdeck.web.app import ServeOptions, create_app
from ccdeck.web.openapi import document


def test_document_has_the_messages_and_the_responses(tmp_path: Path) -> None:
    app = create_app(ServeOptions(db=tmp_path / "db", config_dirs=(), host="127.0.0.1", idle_after=1, rescan_every=1))
    doc = document(app)
    schemas = doc["components"]["schemas"]
    members = {one["$ref"].rsplit("/", 1)[1] for one in schemas["ServerMessage"]["oneOf"]}
    assert members == {"SnapshotMessage", "SessionUpdatedMessage", "SessionStateMessage", "UsagePointMessage",
                       "SummaryMessage", "ScanProgressMessage", "RunUpdatedMessage", "AlertMessage", "MutesMessage",
                       "PingMessage"}  # fmt: skip
    sessions = doc["paths"]["/api/sessions"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert sessions == {"$ref": "#/components/schemas/SessionsPage"}
    body = doc["paths"]["/api/runs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NewRun"}
    mute = doc["paths"]["/api/mutes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert mute == {"$ref": "#/components/schemas/NewMute"}
    assert schemas["NewMute"]["properties"]["kind"]["enum"] == ["session", "project"]
    assert "auto" in schemas["RunOptions"]["properties"]["permissionMode"]["enum"]


def test_run_options_names_match_their_declaration() -> None:
    assert set(PUBLIC_OPTIONS) == RunOptions.__required_keys__
