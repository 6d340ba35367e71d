"""Copies of one response: the same copy wins wherever they meet (in a batch, across batches, across parse workers,
across scans), and reading files in parts stores the very rows one scan of the whole files stores."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccdeck.claude.pricing import Pricer
from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.models import TokenUsage
from ccdeck.store.store import Store
from core_fixtures import (
    HAIKU_45,
    OPUS_4,
    SONNET_4,
    TOKEN_FIELDS,
    Json,
    assistant,
    cli_json,
    dumps,
    epoch,
    query,
    response_totals,
    session_row,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)

A = "aaaaaaaa-0000-4000-8000-00000000000a"
B = "bbbbbbbb-0000-4000-8000-00000000000b"
CWD = "/home/dev/gateway"

_RESPONSE_ROWS = "SELECT * FROM responses ORDER BY key"
_SESSION_ROWS = "SELECT * FROM sessions ORDER BY session_id"
_PLACES = ("one batch", "two batches", "two scans", "parse workers")


def _scan(config: Path, db: Path | str, **options: Any) -> ScanStats:
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan([config])
    finally:
        store.close()


def _small_batches(chunk_bytes: int = 1024, batch_bytes: int = 1) -> dict[str, Any]:
    """`Ingestor` options: each chunk of `chunk_bytes` (whole lines) its own batch, so copies in different chunks
    meet in the store."""
    return {"chunk_bytes": chunk_bytes, "batch_bytes": batch_bytes}


def _cost(model: str, u: Json, ts: str) -> float | None:
    tokens = TokenUsage(u["input_tokens"], u["output_tokens"], u["cache_creation_input_tokens"],
                        u["cache_read_input_tokens"], u["cache_creation_input_tokens"], 0)  # fmt: skip
    return Pricer().cost(model, tokens, epoch(ts))


# ------------------------------------------------------------------------------------------------- the rule


def _gateway_copies() -> list[Json]:
    """A response through a gateway: `output_tokens: 1` on every copy, a placeholder input on the first only."""
    placeholder = usage(4, 1, 0, 0, split=False)
    real = usage(1_500, 1, 2_000, 40_000, split=False)
    return [
        assistant(A, f"2025-09-01T10:00:0{i}.000Z", msg_id="msg_gw", request_id=None, u=u,
                  content=[{"type": "text", "text": f"block {i} " + "x" * 1500}])
        for i, u in enumerate((placeholder, real, real))
    ]  # fmt: skip


@pytest.mark.parametrize("place", _PLACES)
def test_on_equal_output_the_copy_with_the_most_input_and_cache_wins(
    tmp_path: Path, db_target: Path | str, place: str
) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, A)
    first, *rest = _gateway_copies()
    options: dict[str, Any] = {}
    if place != "one batch":
        options = _small_batches()  # each line (1.5 kB) is a chunk of its own, hence a batch of its own
    if place == "parse workers":
        options.update(pool_bytes=0, workers=2)
    if place == "two scans":
        write_jsonl(path, [first])
        _scan(config, db, **options)
        write_jsonl(path, rest, mode="ab")
    else:
        write_jsonl(path, [first, *rest])
    _scan(config, db, **options)
    ((key, session, ts, inp, out, cc, cr, cost),) = query(
        db, "SELECT key, session_id, ts, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,"
        " cost_usd FROM responses"
    )  # fmt: skip
    assert (key, session, inp, out, cc, cr) == ("msg_gw", A, 1_500, 1, 2_000, 40_000)
    assert ts == epoch(rest[0]["timestamp"])  # the first of the equal copies
    assert cost == pytest.approx(_cost(SONNET_4, rest[0]["message"]["usage"], rest[0]["timestamp"]))
    assert session_row(db, A)["input_tokens"] == 1_500


def test_a_bigger_copy_read_later_replaces_the_whole_row(
    tmp_path: Path, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    """What one scan of both files would store: the bigger copy's row in full (tokens, cost, time, session), and
    both sessions' aggregates follow."""
    config, db = tmp_path / "config", db_target
    early = assistant(A, "2025-09-01T10:00:05.000Z", msg_id="msg_1", request_id="req_1", u=usage(3, 10, 0, 500))
    late_ts = "2025-09-02T23:59:00.000Z"
    big = usage(30, 400, 6_000, 90_000, one_hour=1_000)
    late = assistant(B, late_ts, msg_id="msg_1", request_id="req_1", model=OPUS_4, u=big)
    write_jsonl(transcript(config, CWD, A), [early])
    _scan(config, db)
    write_jsonl(transcript(config, CWD, B), [late])
    _scan(config, db)
    one_pass = another_db("one-pass")
    _scan(config, one_pass)
    assert query(db, _RESPONSE_ROWS) == query(one_pass, _RESPONSE_ROWS)
    ((session, ts, model, *tokens, cost),) = query(
        db, "SELECT session_id, ts, model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,"
        " cache_5m_tokens, cache_1h_tokens, cost_usd FROM responses"
    )  # fmt: skip
    assert (session, ts, model, tokens) == (B, epoch(late_ts), OPUS_4, [30, 400, 6_000, 90_000, 5_000, 1_000])
    assert cost is not None and cost > 0
    assert (session_row(db, A)["responses"], session_row(db, A)["output_tokens"]) == (0, 0)
    assert (session_row(db, B)["responses"], session_row(db, B)["input_tokens"]) == (1, 30)
    assert session_row(db, B)["cost_usd"] == pytest.approx(cost)


# ------------------------------------------------------------------------------------------------- in parts


@dataclass
class _Config:
    """Transcripts with copies of responses within and across files, and the winner's tokens for each key."""

    files: dict[Path, list[bytes]] = field(default_factory=dict)
    best: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def add(self, path: Path, line: Json) -> None:
        self.files.setdefault(path, []).append(dumps(line))
        message = line.get("message") or {}
        u = message.get("usage")
        if line.get("type") != "assistant" or not isinstance(u, dict):
            return
        key = f"{message['id']}:{line['requestId']}" if line.get("requestId") else message["id"]
        tokens = (u["input_tokens"], u["output_tokens"], u["cache_creation_input_tokens"],
                  u["cache_read_input_tokens"])  # fmt: skip
        held = self.best.get(key)
        if held is None or (tokens[1], tokens[0] + tokens[2] + tokens[3]) > (held[1], held[0] + held[2] + held[3]):
            self.best[key] = tokens

    def totals(self) -> dict[str, int]:
        sums = [sum(t[i] for t in self.best.values()) for i in range(4)]
        return {"responses": len(self.best), **dict(zip(TOKEN_FIELDS, sums, strict=True))}


def _copies(rng: random.Random, n: int) -> list[Json]:
    """The usages of one response's copies: per-block (partial output first), gateway (output 1 everywhere, a
    placeholder input first), or identical (full ties)."""
    full = usage(rng.randint(1, 40), rng.randint(20, 3_000), rng.choice((0, rng.randint(100, 9_000))),
                 rng.randint(1_000, 90_000))  # fmt: skip
    kind = rng.choice(("blocks", "gateway", "identical"))
    if kind == "blocks":
        return [{**full, "output_tokens": rng.randint(1, 9)} for _ in range(n - 1)] + [full]
    if kind == "gateway":
        real = {**full, "output_tokens": 1}
        return [usage(rng.randint(1, 9), 1, 0, 0)] + [dict(real) for _ in range(n - 1)]
    return [dict(full) for _ in range(n)]


def _write_copies_config(config: Path, seed: int) -> _Config:
    """Five sessions (one with a subagent file); each response written as 1-4 copies, one line per copy. Some
    copies land in another session's file (a resumed or forked session: the same timestamp, its own session id),
    some gateway responses have no requestId; winners are sometimes the later, other-file copy."""
    rng = random.Random(seed)
    made = _Config()
    sessions = [f"{i:08x}-{seed:04x}-4000-8000-{rng.getrandbits(48):012x}" for i in range(5)]
    paths = {s: transcript(config, CWD, s) for s in sessions}
    agent_file = config / "projects" / "-home-dev-gateway" / sessions[0] / "subagents" / "agent-a1b2c3d.jsonl"
    start = datetime(2025, 9, 1, 22, 0, tzinfo=UTC)  # responses cross midnight: daily reports split them
    for s_index, session in enumerate(sessions):
        when = start + timedelta(hours=s_index * 5)
        made.add(paths[session], user_prompt(session, when, f"task {s_index}", cwd=CWD))
        for turn in range(rng.randint(12, 20)):
            when += timedelta(minutes=rng.randint(1, 40))
            subagent = s_index == 0 and turn % 3 == 1
            path = agent_file if subagent else paths[session]
            msg_id, req_id = f"msg_{seed}_{s_index}_{turn}", rng.choice((f"req_{seed}_{s_index}_{turn}", None))
            model = HAIKU_45 if subagent else rng.choice((SONNET_4, OPUS_4))
            extra = {"isSidechain": True, "agentId": "a1b2c3d"} if subagent else {}
            for i, u in enumerate(_copies(rng, rng.randint(1, 4))):
                target, owner = path, session
                if s_index and rng.random() < 0.25:  # a copy in another session's file
                    owner = rng.choice(sessions[:s_index])
                    target = paths[owner]
                line = assistant(
                    owner, when + timedelta(seconds=i * rng.randint(0, 1)), msg_id=msg_id, request_id=req_id,
                    model=model, u=u, cwd=CWD, content=[{"type": "text", "text": "y" * rng.randint(10, 600)}],
                    **extra,
                )  # fmt: skip
                made.add(target, line)
    return made


def _cut_points(rng: random.Random, lines: int, parts: int) -> list[int]:
    """Where each of `parts` reads of a file ends: `parts` - 1 random line boundaries (the start and the end are
    among the choices), then the end."""
    return [*sorted(rng.randint(0, lines) for _ in range(parts - 1)), lines]


def _reports(capsys: pytest.CaptureFixture[str], config: Path, db: Path | str) -> list[Any]:
    common = ("--config-dir", config, "--db", db, "--no-scan", "--timezone", "UTC")
    return [cli_json(capsys, "usage", report, *common) for report in ("session", "daily")]


@pytest.mark.parametrize("workers", [0, 2], ids=["here", "parse-workers"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scanning_files_in_parts_stores_what_one_scan_stores(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    seed: int,
    workers: int,
    db_target: Path | str,
    another_db: Callable[[str], Path | str],
) -> None:
    config, whole_db, parts_db = tmp_path / "config", db_target, another_db("parts")
    made = _write_copies_config(config, seed)
    options = _small_batches(chunk_bytes=2048, batch_bytes=6_000)  # several batches, and jobs, per scan
    if workers:
        options.update(pool_bytes=0, workers=workers)
    for path, lines in made.files.items():
        write_jsonl(path, lines)
    _scan(config, whole_db, **options)
    assert response_totals(whole_db) == made.totals()

    rng = random.Random(seed)
    cuts = {path: _cut_points(rng, len(lines), 3) for path, lines in made.files.items()}
    for path in made.files:
        path.unlink()
    written = dict.fromkeys(made.files, 0)
    for part in range(3):
        for path, lines in made.files.items():
            end = cuts[path][part]
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("ab") as f:  # appended in place: the same file, grown
                f.write(b"".join(line + b"\n" for line in lines[written[path] : end]))
            written[path] = end
        _scan(config, parts_db, **options)

    assert query(parts_db, _RESPONSE_ROWS) == query(whole_db, _RESPONSE_ROWS)
    assert query(parts_db, _SESSION_ROWS) == query(whole_db, _SESSION_ROWS)
    sessions, daily = _reports(capsys, config, whole_db)
    assert len(sessions["sessions"]) == 5 and len(daily["daily"]) >= 2  # the responses span midnight
    assert _reports(capsys, config, parts_db) == [sessions, daily]
