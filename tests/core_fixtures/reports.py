"""Five billed responses in three sessions, the config dir that holds them, and the figures reports must show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccdeck.claude.pricing import reference_cost
from ccdeck.models import TokenUsage
from core_fixtures.lines import (
    OPUS_4,
    SONNET_4,
    Json,
    assistant,
    iso,
    tool_use,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)

P1 = "11111111-aaaa-4000-8000-000000000001"
P2 = "22222222-bbbb-4000-8000-000000000002"
P3 = "33333333-cccc-4000-8000-000000000003"
P1_CWD, P2_CWD, P3_CWD = "/home/dev/alpha-b", "/home/dev/beta", "/home/dev/alpha_b"


@dataclass(frozen=True)
class Billed:
    session: str
    ts: str
    model: str
    inp: int
    out: int
    cache_write: int
    cache_read: int

    @property
    def total(self) -> int:
        return self.inp + self.out + self.cache_write + self.cache_read


# Three sessions in three projects: one response 30 minutes before midnight UTC, one in another month, two models.
REPORT_RESPONSES = (
    Billed(P1, "2025-03-10T09:00:05.000Z", SONNET_4, 100, 1_000, 10_000, 200_000),
    Billed(P1, "2025-03-10T23:30:00.000Z", SONNET_4, 10, 500, 0, 1_000_000),
    Billed(P2, "2025-03-12T12:00:00.000Z", OPUS_4, 200, 2_000, 5_000, 3_000_000),
    Billed(P2, "2025-03-12T12:05:00.000Z", SONNET_4, 7, 70, 700, 7_000),
    Billed(P3, "2025-04-02T01:00:00.000Z", SONNET_4, 1, 10, 0, 4_000),
)


def write_report_config(config: Path) -> None:
    """The sessions of REPORT_RESPONSES, each opened by a prompt; P1 edits two files."""
    cwds = {P1: P1_CWD, P2: P2_CWD, P3: P3_CWD}
    lines: dict[str, list[Json]] = {P1: [], P2: [], P3: []}
    for i, r in enumerate(REPORT_RESPONSES):
        cwd = cwds[r.session]
        if not lines[r.session]:
            prompt_ts = iso(datetime.fromisoformat(r.ts) - timedelta(seconds=5))
            lines[r.session].append(user_prompt(r.session, prompt_ts, f"work on {cwd}", cwd=cwd))
        content = None
        if r.session == P1:
            content = [tool_use("Edit", {"file_path": f"{cwd}/f{i}.py", "old_string": "a", "new_string": "b"})]
        lines[r.session].append(
            assistant(
                r.session, r.ts, msg_id=f"msg_r{i}", request_id=f"req_r{i}", model=r.model, cwd=cwd, content=content,
                u=usage(r.inp, r.out, r.cache_write, r.cache_read),
            )
        )  # fmt: skip
    for session, session_lines in lines.items():
        write_jsonl(transcript(config, cwds[session], session), session_lines)


def report_cost(responses: Iterable[Billed]) -> float:
    total = 0.0
    for r in responses:
        u = TokenUsage(r.inp, r.out, r.cache_write, r.cache_read, r.cache_write, 0)
        cost = reference_cost(r.model, u, datetime.fromisoformat(r.ts))
        assert cost is not None
        total += cost
    return total


def report_totals(responses: Iterable[Billed]) -> dict[str, Any]:
    rs = list(responses)
    return {
        "inputTokens": sum(r.inp for r in rs),
        "outputTokens": sum(r.out for r in rs),
        "cacheCreationTokens": sum(r.cache_write for r in rs),
        "cacheReadTokens": sum(r.cache_read for r in rs),
        "totalTokens": sum(r.total for r in rs),
        "costUSD": approx_usd(report_cost(rs)),
    }


def approx_usd(value: float) -> Any:
    return pytest.approx(value, abs=2e-6)
