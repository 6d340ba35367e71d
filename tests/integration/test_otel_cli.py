"""The real Claude Code CLI (against the fake API) exporting its telemetry to a running server whose config dir is
another, empty folder: the session shows up, known only from telemetry, with the fake API's token counts; once its
transcript is read too, every response still counts once."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core_fixtures import query, scan
from fakeapi import ClaudeRunner, ClaudeSandbox
from web.server_fixture import LiveServer, Serve

TOKENS = ("inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens", "responses")


def _telemetry_env(url: str, protocol: str) -> dict[str, str | None]:
    return {
        "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
        "OTEL_LOGS_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_EXPORTER_OTLP_ENDPOINT": url,
        "OTEL_LOGS_EXPORT_INTERVAL": "200",
        "OTEL_METRIC_EXPORT_INTERVAL": "200",
    }


def _wait_for(what: str, found: Callable[[], dict[str, Any] | None], timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (row := found()) is None:
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)
    return row


def _session(live: LiveServer, session_id: str) -> dict[str, Any] | None:
    rows = live.get("/api/sessions").json()["sessions"]
    return next((row for row in rows if row["sessionId"] == session_id), None)


def _transcript_figures(transcript: Path, tmp_path: Path) -> dict[str, Any]:
    """The session's figures as ingest reads them from its transcript alone."""
    config = tmp_path / "alone"
    target = config / "projects" / transcript.parent.name / transcript.name
    target.parent.mkdir(parents=True)
    shutil.copy(transcript, target)
    db = tmp_path / "alone.sqlite"
    scan(config, db)
    (row,) = query(db, "SELECT input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, responses "
                       "FROM sessions WHERE session_id = ?", (transcript.stem,))  # fmt: skip
    return dict(zip(TOKENS, row, strict=True))


@pytest.mark.parametrize("protocol", ["http/json", "http/protobuf"])
def test_the_cli_exports_to_serve_and_counts_once_with_its_transcript(
    claude: ClaudeRunner, claude_sandbox: ClaudeSandbox, serve: Serve, tmp_path: Path, protocol: str
) -> None:
    config = tmp_path / "served"
    (config / "projects").mkdir(parents=True)
    with serve(config, tmp_path / "ccdeck.db") as live:
        run = claude.run("Create the file. [[fake:write_file:notes/hello.txt]]", env=_telemetry_env(live.url, protocol))
        assert run.returncode == 0, run.describe()
        transcript = claude_sandbox.transcript(run.session_id)
        expected = _transcript_figures(transcript, tmp_path)
        assert expected["responses"] >= 2  # the tool call, then the answer

        def told() -> dict[str, Any] | None:
            row = _session(live, run.session_id)
            return row if row is not None and row["responses"] >= expected["responses"] else None

        row = _wait_for("the session from telemetry", told)
        assert row["source"] == "telemetry"
        assert row["configDir"] == ""
        assert row["host"] == "127.0.0.1"
        assert {k: row[k] for k in TOKENS} == expected
        assert row["costUSD"] > 0
        # Its transcript reaches the server too: the session becomes a transcript session, counted once.
        target = config / "projects" / transcript.parent.name / transcript.name
        target.parent.mkdir(parents=True)
        shutil.copy(transcript, target)

        def read() -> dict[str, Any] | None:
            row = _session(live, run.session_id)
            return row if row is not None and row["source"] == "transcript" else None

        row = _wait_for("the transcript read", read)
        assert {k: row[k] for k in TOKENS} == expected
