"""Helpers shared by the core suites (tests/claude, tests/ingest, tests/store, tests/reports, tests/test_cli.py).

Everything here writes real files under a test's `tmp_path` and opens real SQLite databases: transcript lines are
built the way Claude Code writes them (see the shared reference notes). The reference corpus in ../shared, when
present, is read in place (through shared_data).
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.store.store import Store
from fakeapi import ClaudeRunner
from shared_data import require_shared

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
CCDECK = VENV_BIN / "ccdeck"
PYTHON = VENV_BIN / "python"

SONNET_4 = "claude-sonnet-4-20250514"
SONNET_45 = "claude-sonnet-4-5-20250929"
OPUS_4 = "claude-opus-4-20250514"
HAIKU_45 = "claude-haiku-4-5-20251001"

Json = dict[str, Any]


# --------------------------------------------------------------------------------------------------- lines


def iso(moment: datetime | str) -> str:
    """A timestamp as Claude Code writes it: ISO-8601 UTC with milliseconds and `Z`."""
    if isinstance(moment, str):
        return moment
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def new_uuid(rng: random.Random | None = None) -> str:
    if rng is None:
        return str(uuidlib.uuid4())
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


def usage(
    inp: int = 0,
    out: int = 0,
    cache_write: int = 0,
    cache_read: int = 0,
    *,
    one_hour: int | None = None,
    split: bool = True,
    **extra: Any,
) -> Json:
    """`message.usage` as Claude Code 1.0.77+ writes it (with the 5m/1h split unless `split=False`)."""
    u: Json = {
        "input_tokens": inp,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
        "output_tokens": out,
        "service_tier": "standard",
    }
    if split:
        hour = one_hour or 0
        u["cache_creation"] = {"ephemeral_5m_input_tokens": cache_write - hour, "ephemeral_1h_input_tokens": hour}
    u.update(extra)
    return u


def _common(session: str | None, ts: datetime | str, uid: str | None, cwd: str, **extra: Any) -> Json:
    line: Json = {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": cwd,
        "version": "1.0.98",
        "gitBranch": "main",
    }
    if session is not None:
        line["sessionId"] = session
    line["timestamp"] = iso(ts)
    if uid is not None:
        line["uuid"] = uid
    line.update(extra)
    return line


def assistant(
    session: str | None,
    ts: datetime | str,
    *,
    msg_id: str | None = "msg_01",
    request_id: str | None = "req_01",
    model: str = SONNET_4,
    u: Json | None = None,
    content: Sequence[Json] | None = None,
    uid: str | None = None,
    cwd: str = "/home/dev/proj",
    **extra: Any,
) -> Json:
    """One assistant line (one content block of a response, as Claude Code writes them)."""
    message: Json = {"type": "message", "role": "assistant", "model": model}
    if msg_id is not None:
        message["id"] = msg_id
    message["content"] = list(content) if content is not None else [{"type": "text", "text": "Done."}]
    message["stop_reason"] = None
    message["usage"] = u if u is not None else usage(10, 20, 30, 40)
    line = _common(session, ts, uid if uid is not None else new_uuid(), cwd, type="assistant", message=message)
    if request_id is not None:
        line["requestId"] = request_id
    line.update(extra)
    return line


def user_prompt(
    session: str | None, ts: datetime | str, text: str, *, uid: str | None = None, cwd: str = "/home/dev/proj", **extra
) -> Json:
    return _common(
        session,
        ts,
        uid if uid is not None else new_uuid(),
        cwd,
        type="user",
        message={"role": "user", "content": text},
        **extra,
    )


def tool_result(
    session: str | None,
    ts: datetime | str,
    tool_use_id: str,
    text: str,
    *,
    result: Any = None,
    uid: str | None = None,
    cwd: str = "/home/dev/proj",
    **extra: Any,
) -> Json:
    block = {"tool_use_id": tool_use_id, "type": "tool_result", "content": text}
    line = _common(
        session,
        ts,
        uid if uid is not None else new_uuid(),
        cwd,
        type="user",
        message={"role": "user", "content": [block]},
        **extra,
    )
    if result is not None:
        line["toolUseResult"] = result
    return line


def tool_use(name: str, tool_input: Json, tool_id: str | None = None) -> Json:
    return {"type": "tool_use", "id": tool_id or f"toolu_{uuidlib.uuid4().hex[:20]}", "name": name, "input": tool_input}


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)


def write_jsonl(path: Path, lines: Iterable[Json | bytes], *, mode: str = "wb", final_newline: bool = True) -> int:
    """Write lines (objects or raw bytes); returns the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"\n".join(line if isinstance(line, bytes) else dumps(line) for line in lines)
    if final_newline and data:
        data += b"\n"
    with path.open(mode) as f:
        f.write(data)
    return len(data)


def encode_cwd(cwd: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


def transcript(config: Path, cwd: str, session: str) -> Path:
    return config / "projects" / encode_cwd(cwd) / f"{session}.jsonl"


# --------------------------------------------------------------------------------------------------- store


def scan(config: Path | Sequence[Path], db: Path, **options: Any) -> ScanStats:
    """One real scan into a real SQLite file, with the store closed afterwards; `options` go to the `Ingestor`."""
    dirs = [config] if isinstance(config, Path) else list(config)
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan(dirs)
    finally:
        store.close()


def query(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the database with the standard library, independently of ccdeck's store code."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


TOKEN_FIELDS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")


def response_totals(db: Path) -> dict[str, int]:
    (row,) = query(
        db,
        "SELECT COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),"
        " COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0) FROM responses",
    )
    return dict(zip(("responses", *TOKEN_FIELDS), row, strict=True))


def session_row(db: Path, session: str) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM sessions WHERE session_id = ?", (session,)).fetchone()
    finally:
        conn.close()
    assert row is not None, f"no session {session}"
    return dict(row)


# --------------------------------------------------------------------------------------------------- corpus


def sources_table() -> dict[str, dict[str, float]]:
    """The 'Reference figures' table of SOURCES.md: folder -> {sessions, input, output, cacheWrite, cacheRead, cost}.

    Skips the calling test when ../shared is absent."""
    text = require_shared("corpus", "SOURCES.md").read_text()
    section = text.split("## Reference figures", 1)[1]
    rows: dict[str, dict[str, float]] = {}
    header: list[str] | None = None
    for line in section.splitlines():
        if not line.startswith("|"):
            if header is not None and rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set(cells[0]) <= {"-", ":"}:
            continue
        values = dict(zip(header, cells, strict=True))
        rows[values["folder"]] = {
            "sessions": int(values["sessions"].replace(",", "")),
            "inputTokens": int(values["input"].replace(",", "")),
            "outputTokens": int(values["output"].replace(",", "")),
            "cacheCreationTokens": int(values["cache write"].replace(",", "")),
            "cacheReadTokens": int(values["cache read"].replace(",", "")),
            "costUSD": float(values["cost usd"].replace(",", "")),
        }
    return rows


def _weight(u: Json) -> tuple[int, int]:
    fields = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    return u.get("output_tokens") or 0, sum(u.get(f) or 0 for f in fields)


def dedup_usage(config: Path) -> dict[str, int]:
    """Token totals computed independently of ccdeck: every response once by (message.id, requestId), keeping the
    copy with the most output tokens, then the most input + cache tokens; `<synthetic>` and API-error lines
    skipped."""
    best: dict[str, Json] = {}
    for path in sorted((config / "projects").rglob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(obj, dict) or obj.get("type") != "assistant" or obj.get("isApiErrorMessage"):
                continue
            message = obj.get("message") or {}
            u = message.get("usage")
            if not isinstance(u, dict) or message.get("model") == "<synthetic>":
                continue
            key = f"{message.get('id')}:{obj.get('requestId')}" if message.get("id") else f"uuid:{obj.get('uuid')}"
            held = best.get(key)
            if held is None or _weight(u) > _weight(held):
                best[key] = u
    return {
        "responses": len(best),
        "inputTokens": sum(u.get("input_tokens") or 0 for u in best.values()),
        "outputTokens": sum(u.get("output_tokens") or 0 for u in best.values()),
        "cacheCreationTokens": sum(u.get("cache_creation_input_tokens") or 0 for u in best.values()),
        "cacheReadTokens": sum(u.get("cache_read_input_tokens") or 0 for u in best.values()),
    }


# --------------------------------------------------------------------------------------------------- the real CLI

# A reply, a file written, a command run: each a session of the real CLI against the fake API.
CLI_PROMPTS = ("Say something.", "Create it. [[fake:write_file:notes/hello.txt]]", "Run it. [[fake:bash:echo hi]]")
# Every request refused with 429 and one retry: the CLI gives up and writes a `<synthetic>` error message.
RATE_LIMITED_PROMPT = "[[fake:error:429:9]]"
RATE_LIMITED_ENV = {"CLAUDE_CODE_MAX_RETRIES": "1"}


def cli_transcripts(claude: ClaudeRunner, prompts: Sequence[str] = CLI_PROMPTS, **options: Any) -> Path:
    """Run the real CLI once per prompt (against the fake API); returns its config dir, with the transcripts it
    wrote. `options` go to `ClaudeRunner.run` (e.g. `env`)."""
    for prompt in prompts:
        claude.run(prompt, **options)
    return claude.sandbox.config_dir


# --------------------------------------------------------------------------------------------------- big corpus

_WORDS = (
    "the", "parser", "reads", "each", "line", "and", "keeps", "copy", "with", "largest", "output", "so", "a",
    "response", "counts", "once", "while", "store", "commits", "rows", "their", "cursor", "in", "one",
    "transaction", "which", "makes", "crash", "harmless", "rescan", "cheap",
)  # fmt: skip


_TEXT = " ".join(random.Random(0).choice(_WORDS) for _ in range(40_000))


def _prose(rng: random.Random, n_words: int) -> str:
    """About `n_words` words of text (a slice of a fixed random text: cheap to make megabytes of)."""
    length = min(n_words * 6, len(_TEXT) - 1)
    start = rng.randrange(len(_TEXT) - length)
    return _TEXT[start : start + length]


@dataclass
class BigCorpus:
    """What `write_big_config` wrote: expected totals with each response counted once at its largest output."""

    files: int = 0
    bytes: int = 0
    sessions: set[str] = field(default_factory=set)
    responses: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def add(self, key: str, u: Json) -> None:
        held = self.responses.get(key)
        out = u["output_tokens"]
        if held is None or out > held[1]:
            self.responses[key] = (
                u["input_tokens"],
                out,
                u["cache_creation_input_tokens"],
                u["cache_read_input_tokens"],
            )

    def totals(self) -> dict[str, int]:
        sums = [sum(r[i] for r in self.responses.values()) for i in range(4)]
        return {"responses": len(self.responses), **dict(zip(TOKEN_FIELDS, sums, strict=True))}


def write_big_config(root: Path, target_bytes: int, seed: int = 7) -> BigCorpus:
    """A realistic config dir of about `target_bytes`: sessions in several projects, responses written one line per
    content block with partial output on the earlier copies, tool results with big `toolUseResult`s, Task results
    carrying a `usage` summary (not to be counted), subagent files (flat and `subagents/` layouts), resumed sessions
    that copy earlier responses, and a few unknown line types."""
    rng = random.Random(seed)
    info = BigCorpus()
    start = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    projects = [f"/home/dev/src/project-{i}" for i in range(6)]
    previous: list[Json] = []
    n = 0
    while info.bytes < target_bytes:
        n += 1
        cwd = rng.choice(projects)
        session = new_uuid(rng)
        info.sessions.add(session)
        when = start + timedelta(hours=7 * n + rng.random())
        lines: list[Json] = []
        if previous and rng.random() < 0.2:
            lines.extend({**line, "sessionId": session} for line in previous[:6])  # a resumed session
        lines.append(user_prompt(session, when, _prose(rng, rng.randint(20, 300)), uid=new_uuid(rng), cwd=cwd))
        agent_lines: dict[str, list[Json]] = {}
        for turn in range(rng.randint(50, 90)):
            when += timedelta(seconds=rng.randint(2, 90))
            msg_id = f"msg_{rng.getrandbits(80):020x}"
            req_id = f"req_{rng.getrandbits(80):020x}"
            full = usage(
                rng.randint(1, 30),
                rng.randint(50, 4000),
                rng.choice((0, 0, rng.randint(100, 30_000))),
                rng.randint(10_000, 150_000),
            )
            tool_id = f"toolu_{rng.getrandbits(80):020x}"
            model = rng.choice((SONNET_4, OPUS_4, SONNET_45))
            name = rng.choices(("Edit", "Write", "Read", "Bash", "Grep", "Task"), (4, 2, 6, 4, 3, 1))[0]
            tool_input: Json = {
                "file_path": f"{cwd}/src/mod{rng.randint(1, 40)}.py",
                "old_string": "a",
                "new_string": "b",
            }
            if name == "Bash":
                tool_input = {"command": "pytest -q", "description": "Run the tests"}
            elif name == "Task":
                tool_input = {"description": "Explore", "prompt": _prose(rng, 30), "subagent_type": "Explore"}
            blocks = [
                {"type": "thinking", "thinking": _prose(rng, rng.randint(20, 200)), "signature": "x" * 200},
                {"type": "text", "text": _prose(rng, rng.randint(10, 150))},
                tool_use(name, tool_input, tool_id),
            ]
            for i, block in enumerate(blocks):
                u = dict(full)
                if i < len(blocks) - 1:
                    u["output_tokens"] = rng.randint(1, 10)  # partial on the earlier copies
                line = assistant(
                    session, when, msg_id=msg_id, request_id=req_id, model=model,
                    u=u, content=[block], uid=new_uuid(rng), cwd=cwd,
                )  # fmt: skip
                lines.append(line)
                info.add(f"{msg_id}:{req_id}", u)
            result: Json = {"type": "text", "file": {"filePath": tool_input.get("file_path"), "content": ""}}
            result["file"]["content"] = _prose(rng, rng.randint(100, 900))
            if name == "Task":
                result = {
                    "content": [{"type": "text", "text": _prose(rng, 50)}],
                    "totalDurationMs": 12000,
                    "totalTokens": 55555,
                    "totalToolUseCount": 4,
                    "usage": usage(100, 2000, 5000, 40000),
                }
            lines.append(
                tool_result(
                    session, when + timedelta(seconds=1), tool_id, _prose(rng, 40), result=result,
                    uid=new_uuid(rng), cwd=cwd,
                )
            )  # fmt: skip
            if name == "Task":
                agent = f"{rng.getrandbits(28):07x}"
                for k in range(rng.randint(2, 5)):
                    a_id, a_req = f"msg_{rng.getrandbits(80):020x}", f"req_{rng.getrandbits(80):020x}"
                    u = usage(rng.randint(1, 9), rng.randint(20, 900), rng.randint(0, 9000), rng.randint(0, 60_000))
                    agent_lines.setdefault(agent, []).append(
                        assistant(
                            session, when + timedelta(seconds=k), msg_id=a_id, request_id=a_req, model=HAIKU_45,
                            u=u, uid=new_uuid(rng), cwd=cwd, agentId=agent, isSidechain=True,
                        )
                    )  # fmt: skip
                    info.add(f"{a_id}:{a_req}", u)
            if turn % 7 == 3:
                lines.append({"type": "progress", "data": {"type": "hook_progress"}, "uuid": new_uuid(rng)})
                lines.append({"type": "future-line-type", "sessionId": session, "payload": _prose(rng, 10)})
        folder = root / "projects" / encode_cwd(cwd)
        info.bytes += write_jsonl(folder / f"{session}.jsonl", lines)
        info.files += 1
        for agent, agent_file_lines in agent_lines.items():
            if n % 2:  # 2.1.x layout, with its .meta.json
                agent_file = folder / session / "subagents" / f"agent-{agent}.jsonl"
                info.bytes += write_jsonl(agent_file, agent_file_lines)
                agent_file.with_suffix(".meta.json").write_text('{"agentType": "Explore", "description": "Look"}')
            else:  # 2.0.x layout: flat, next to the session file
                info.bytes += write_jsonl(folder / f"agent-{agent}.jsonl", agent_file_lines)
            info.files += 1
        previous = [line for line in lines if line.get("type") == "assistant"]
    return info


def run_env() -> dict[str, str]:
    """Environment for a ccdeck child process: no inherited config dir, no terminal width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCDECK_", "CLAUDE_"))}
    env.pop("COLUMNS", None)
    return env


# --------------------------------------------------------------------------------------------------- report data

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
    from ccdeck.claude.pricing import reference_cost
    from ccdeck.models import TokenUsage

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
    import pytest

    return pytest.approx(value, abs=2e-6)


# --------------------------------------------------------------------------------------------------- the CLI


def run_cli(capsys: Any, *args: str | Path) -> tuple[int, str, str]:
    """`ccdeck.cli.main` in-process: (exit code, stdout, stderr)."""
    from ccdeck.cli import main

    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: Any, *args: str | Path) -> Any:
    code, out, err = run_cli(capsys, *args, "--json")
    assert code == 0, err
    return orjson.loads(out)


def committed_files(db: Path) -> int:
    """Committed cursors of either pass (usage, complete), read without ccdeck (read-only); 0 while the database
    does not exist yet."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            sql = "SELECT (SELECT COUNT(*) FROM files) + (SELECT COUNT(*) FROM usage_cursors)"
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
