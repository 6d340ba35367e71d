"""Helpers shared by the core suites (tests/claude, tests/ingest, tests/store, tests/reports, tests/test_cli*.py).

Everything here writes real files under a test's `tmp_path` and opens real SQLite databases: transcript lines are
built the way Claude Code writes them (see the shared reference notes). The reference corpus in ../shared, when
present, is read in place (through shared_data).

The parts: `lines` (transcript lines and files), `database` (a real scan, and reads of the database without ccdeck),
`reference` (the figures of ../shared and independent totals), `big_corpus` (a realistic config dir of any size),
`reports` (billed responses and the figures reports must show), `cli` (ccdeck's CLI and the real Claude Code CLI).
"""

from __future__ import annotations

from core_fixtures.big_corpus import BigCorpus, write_big_config
from core_fixtures.cli import (
    CCDECK,
    CLI_PROMPTS,
    PYTHON,
    RATE_LIMITED_ENV,
    RATE_LIMITED_PROMPT,
    REPO,
    VENV_BIN,
    cli_json,
    cli_transcripts,
    dir_args,
    run_cli,
    run_env,
)
from core_fixtures.database import TOKEN_FIELDS, committed_files, query, response_totals, scan, session_row
from core_fixtures.lines import (
    HAIKU_45,
    OPUS_4,
    SONNET_4,
    SONNET_45,
    Json,
    assistant,
    dumps,
    encode_cwd,
    epoch,
    iso,
    new_uuid,
    tool_result,
    tool_use,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)
from core_fixtures.reference import dedup_usage, sources_table
from core_fixtures.reports import (
    P1,
    P1_CWD,
    P2,
    P2_CWD,
    P3,
    P3_CWD,
    REPORT_RESPONSES,
    Billed,
    approx_usd,
    report_cost,
    report_totals,
    write_report_config,
)

__all__ = [
    "CCDECK",
    "CLI_PROMPTS",
    "HAIKU_45",
    "OPUS_4",
    "P1",
    "P1_CWD",
    "P2",
    "P2_CWD",
    "P3",
    "P3_CWD",
    "PYTHON",
    "RATE_LIMITED_ENV",
    "RATE_LIMITED_PROMPT",
    "REPO",
    "REPORT_RESPONSES",
    "SONNET_4",
    "SONNET_45",
    "TOKEN_FIELDS",
    "VENV_BIN",
    "BigCorpus",
    "Billed",
    "Json",
    "approx_usd",
    "assistant",
    "cli_json",
    "cli_transcripts",
    "committed_files",
    "dedup_usage",
    "dir_args",
    "dumps",
    "encode_cwd",
    "epoch",
    "iso",
    "new_uuid",
    "query",
    "report_cost",
    "report_totals",
    "response_totals",
    "run_cli",
    "run_env",
    "scan",
    "session_row",
    "sources_table",
    "tool_result",
    "tool_use",
    "transcript",
    "usage",
    "user_prompt",
    "write_big_config",
    "write_jsonl",
    "write_report_config",
]
