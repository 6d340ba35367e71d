"""Deterministic generator of a synthetic Claude Code config dir, for the tests and the benchmarks.

    python -m bench.generate OUT_DIR --size-mb 1024 [--max-file-mb 200] [--seed 1]
    python -m bench.generate --self-check

It lives with the tests so that they make their own data on a fresh clone (tests/ is on the import path under
pytest, and bench/__init__.py puts it there for the benchmarks); `bench.generate` is its command line.

The output looks like a real config dir (see the shared reference notes on Claude Code's files):
``projects/<encoded-cwd>/<session>.jsonl`` transcripts, subagent transcripts both as flat ``agent-<hex>.jsonl``
(2.0.x layout) and as ``<session>/subagents/agent-<hex>.jsonl`` (2.1.x layout), and a ``history.jsonl``.
The line shapes copy what Claude Code writes, including the traps an ingester has to get right: one assistant
line per content block with a copy of ``usage`` (partial ``output_tokens`` on the earlier copies), resumed
sessions that copy earlier responses, the ``usage`` summary inside Task results and the ``cost-state`` totals
(both must not be counted again), ``<synthetic>`` error messages, large non-message lines
(``attachment`` / ``api-request-shape``) that a fast ingester should skip cheaply, and ``progress`` lines
(``synthetic_progress``), whose ``agent_progress`` copies of a subagent's responses must not be counted either.

Files are written one at a time through a buffered handle, so memory stays constant whatever the size. A
``bench-manifest.json`` written last at the root records the parameters and the expected token totals
(each response counted once, with its largest ``output_tokens``); its presence marks a complete corpus.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

import synthetic_progress as progress

# Bump when the output changes, so bench.run regenerates a corpus made by an older generator.
GENERATOR_VERSION = 2
MIB = 1 << 20
KIB = 1 << 10
MANIFEST_NAME = "bench-manifest.json"

JsonObj = dict[str, Any]

# Timestamps spread over 60 days from a fixed start, so the output does not depend on today's date.
EPOCH_MS = 1_759_276_800_000  # 2025-10-01T00:00:00Z
SPAN_MS = 60 * 86_400_000

MAIN_MODELS = (
    "claude-sonnet-4-5-20250929",
    "claude-opus-4-1-20250805",
    "claude-sonnet-4-20250514",
    "claude-haiku-4-5-20251001",
)
MAIN_MODEL_WEIGHTS = (50, 20, 15, 15)
SUBAGENT_MODELS = ("claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929")
SUBAGENT_MODEL_WEIGHTS = (60, 40)

# Sessions in the first part of the window use the 2.0.x layout (flat agent files, summary lines); later ones
# the 2.1.x layout (subagents/ folder, big attachment and api-request-shape lines, cost-state, custom-title).
OLD_VERSIONS = ("2.0.64", "2.0.76")
NEW_VERSIONS = ("2.1.6", "2.1.45", "2.1.90")
NEW_STYLE_FROM = 0.35
AGENT_TOOL_FROM = (2, 1, 63)  # Task was renamed Agent at 2.1.63

PROJECT_PARENTS = ("/home/dev/src", "/Users/alex/work", "/home/dev/src/acme", "/srv/repos")
PROJECT_NAMES = (
    "api-server",
    "web-frontend",
    "data_pipeline",
    "infra",
    "ml-experiments",
    "docs.site",
    "mobile app",
    "billing-service",
    "cli-tools",
    "scratch",
    "auth.v2",
    "search_index",
    "etl-jobs",
    "design-system",
    "notebooks",
    "kernel-patches",
    "game_engine",
    "chat-bot",
    "payments",
    "monorepo",
)
BRANCHES = ("main", "main", "main", "develop", "feature/search", "fix/login-timeout", "HEAD")
SOURCE_FILES = (
    "src/main.py",
    "src/app/routes.py",
    "src/app/models.py",
    "src/utils/helpers.ts",
    "src/components/Table.tsx",
    "README.md",
    "tests/test_api.py",
    "Makefile",
    "pyproject.toml",
    "internal/server/handler.go",
    "lib/parser.rs",
    "docs/guide.md",
    "package.json",
    "config/settings.yaml",
)
BASH_COMMANDS = (
    "git status",
    "git diff --stat",
    "pytest -q tests/",
    "npm test -- --watch=false",
    "ls -la",
    "make lint",
    "cargo build --release",
    "rg -n TODO src",
    "go test ./...",
    "docker compose ps",
)
TOOL_NAMES = ("Read", "Edit", "Bash", "Write", "Grep")
TOOL_WEIGHTS = (35, 22, 25, 8, 10)
AGENT_TYPES = ("Explore", "general-purpose", "Plan")

# Budget of each ordinary session: log-normal (median 46 KiB): about 3,000 files per GiB, most of them small.
SESSION_MEDIAN_BYTES = 46 * KIB
SESSION_SIGMA = 1.6
MIN_SESSION_BYTES = 4 * KIB
# Probabilities per turn or per model call; tuned so bytes split roughly like real 2.1.x transcripts.
P_SHAPE_LINE = 0.12
P_API_ERROR = 0.03
P_SYNTHETIC_AFTER_ERRORS = 0.15
P_INTERRUPT = 0.02
P_COMPACT = 0.01
P_RESUME = 0.1
P_SUBAGENTS = 0.35
P_MCP = 0.03
MAX_AGENT_BYTES = 4 * MIB  # a subagent transcript stays small, even under a long session
COMPACT_AT_TOKENS = 160_000
RESUME_PREFIX_LINES = 16


@dataclass(frozen=True)
class Params:
    size_mb: float
    max_file_mb: float
    seed: int

    @property
    def target_bytes(self) -> int:
        return int(self.size_mb * MIB)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MIB)


@dataclass
class Totals:
    """Token totals of the unique responses, as a correct ingester should report them."""

    responses: int = 0
    synthetic_messages: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    # What a reader keeping the FIRST copy of each response would count (earlier copies are partial).
    output_tokens_first_copy: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    ephemeral_5m_tokens: int = 0
    ephemeral_1h_tokens: int = 0
    by_model: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, model: str, usage: JsonObj, first_output: int) -> None:
        self.responses += 1
        self.input_tokens += usage["input_tokens"]
        self.output_tokens += usage["output_tokens"]
        self.output_tokens_first_copy += first_output
        self.cache_creation_tokens += usage["cache_creation_input_tokens"]
        self.cache_read_tokens += usage["cache_read_input_tokens"]
        self.ephemeral_5m_tokens += usage["cache_creation"]["ephemeral_5m_input_tokens"]
        self.ephemeral_1h_tokens += usage["cache_creation"]["ephemeral_1h_input_tokens"]
        row = self.by_model.setdefault(
            model, dict.fromkeys(("responses", "input", "output", "cacheCreation", "cacheRead"), 0)
        )
        row["responses"] += 1
        row["input"] += usage["input_tokens"]
        row["output"] += usage["output_tokens"]
        row["cacheCreation"] += usage["cache_creation_input_tokens"]
        row["cacheRead"] += usage["cache_read_input_tokens"]


@dataclass
class Stats:
    files: int = 0
    jsonl_bytes: int = 0  # bytes of the transcripts under projects/ (history.jsonl not included)
    lines: int = 0
    main_sessions: int = 0
    nested_agent_files: int = 0
    flat_agent_files: int = 0
    resumed_sessions: int = 0
    big_lines: int = 0
    progress_lines: int = 0  # never counted: see synthetic_progress
    history_lines: int = 0
    largest_file_bytes: int = 0


@dataclass(frozen=True)
class AppendTarget:
    """A mid-size transcript that bench.run appends one assistant line to (and truncates back afterwards)."""

    path: str  # relative to the corpus root
    session_id: str
    cwd: str
    version: str
    last_uuid: str
    last_ms: int


def encode_cwd(cwd: str) -> str:
    """Claude Code's folder name for a cwd (every character outside [A-Za-z0-9] becomes '-')."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


def iso(ms: int) -> str:
    seconds, milli = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{milli:03d}Z"


def new_uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def new_token(rng: random.Random, prefix: str, bits: int = 96) -> str:
    return f"{prefix}{rng.getrandbits(bits):0{bits // 4}x}"


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


class TextPool:
    """A few MiB of random words, sliced at random offsets: cheap large strings of plausible text.

    Slicing one prepared string is what keeps the generator fast; composing text word by word would not be.
    A few non-ASCII words make byte counts differ from character counts, as in real transcripts.
    """

    def __init__(self, rng: random.Random, chars: int = 4 * MIB) -> None:
        letters = "abcdefghijklmnopqrstuvwxyz"
        vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(3000)]
        vocab += ["def", "return", "self", "import", "{", "}", "=>", "->", "==", "const", "fn", "let", "if"]
        vocab += ["café", "naïve", "→", "✓", "日本語", "über"]
        words = rng.choices(vocab, k=chars // 6)
        rows = (" ".join(words[i : i + 12]) for i in range(0, len(words), 12))
        self._text = "\n".join(rows)
        self._rng = rng

    def text(self, chars: int) -> str:
        chars = max(1, min(chars, len(self._text) // 2))
        start = self._rng.randrange(len(self._text) - chars)
        return self._text[start : start + chars]


class TranscriptFile:
    """One .jsonl file, written through a large buffer; counts its bytes and lines."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)  # Claude Code writes transcripts with mode 0600
        self.path = path
        self._fh = path.open("wb", buffering=MIB)
        self.bytes = 0
        self.lines = 0

    def write(self, obj: JsonObj) -> int:
        data = orjson.dumps(obj)
        self._fh.write(data)
        self._fh.write(b"\n")
        self.bytes += len(data) + 1
        self.lines += 1
        return len(data) + 1

    def write_raw(self, line: bytes) -> None:
        self._fh.write(line)
        self.bytes += len(line)
        self.lines += 1

    def close(self, mtime_ms: int) -> None:
        self._fh.close()
        # The mtime of a real transcript is its last write.
        os.utime(self.path, (mtime_ms / 1000, mtime_ms / 1000))


@dataclass
class SessionSpec:
    """What differs between transcripts; the Session class turns it into lines."""

    session_id: str
    cwd: str
    version: str
    branch: str
    model: str
    start_ms: int
    budget: int
    cache_mode: str  # "5m", "1h" or "mixed"
    agent_id: str | None = None
    agent_prompt: str = ""
    long: bool = False  # one of the few large sessions near --max-file-mb


@dataclass
class SpawnedAgent:
    agent_id: str
    start_ms: int
    description: str
    prompt: str


class Generator:
    """Writes a whole corpus: plans sessions lazily until the byte target is reached."""

    def __init__(self, out: Path, params: Params) -> None:
        self.out = out
        self.params = params
        self.rng = random.Random(params.seed)
        self.pool = TextPool(self.rng)
        self.totals = Totals()
        self.subagent_totals = Totals()  # the part of `totals` written in subagent files
        self.stats = Stats()
        self.projects = self._make_projects()
        self.project_weights = [1 / (i + 1) for i in range(len(self.projects))]
        self.large_budgets = self._large_budgets()
        self.resume_prefixes: dict[str, tuple[str, list[bytes]]] = {}
        self.used_agent_ids: set[str] = set()
        self.last_uuid = new_uuid(self.rng)
        self.append_target: AppendTarget | None = None
        self._history: BinaryIO | None = None

    def _make_projects(self) -> list[str]:
        count = clamp(self.params.size_mb / 15 + 3, 3, len(PROJECT_NAMES))
        return [f"{self.rng.choice(PROJECT_PARENTS)}/{name}" for name in PROJECT_NAMES[:count]]

    @property
    def large_top(self) -> int:
        return min(self.max_budget, int(0.2 * self.params.target_bytes))

    def _large_budgets(self) -> list[tuple[float, int]]:
        """A few large files (the biggest near --max-file-mb) at fixed points of the byte progress."""
        top = self.large_top
        return [(0.6, top), (0.4, top * 3 // 4), (0.15, top * 11 // 20)]

    @property
    def max_budget(self) -> int:
        # Leave room for the step that crosses the budget, so no file exceeds --max-file-mb.
        cap = self.params.max_file_bytes
        return cap - min(MIB, cap // 4)

    def run(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "projects").mkdir(exist_ok=True)
        with (self.out / "history.jsonl").open("wb", buffering=MIB) as history:
            self._history = history
            while self.stats.jsonl_bytes < self.params.target_bytes:
                self._write_main_session(*self._next_budget())

    def _next_budget(self) -> tuple[int, bool]:
        """The next main session's byte budget, and whether it is one of the planned large (long) sessions."""
        progress = self.stats.jsonl_bytes / max(1, self.params.target_bytes)
        if self.large_budgets and progress >= self.large_budgets[-1][0]:
            return self.large_budgets.pop()[1], True
        drawn = self.rng.lognormvariate(math.log(SESSION_MEDIAN_BYTES), SESSION_SIGMA)
        # Ordinary sessions stay below the planned large files and within what is left of the target.
        remaining = self.params.target_bytes - self.stats.jsonl_bytes
        return clamp(drawn, MIN_SESSION_BYTES, min(self.large_top // 4, remaining)), False

    def _spec(self, budget: int, long: bool) -> SessionSpec:
        rng = self.rng
        progress = self.stats.jsonl_bytes / max(1, self.params.target_bytes)
        start_ms = EPOCH_MS + int(progress * SPAN_MS * 0.97) + rng.randrange(12 * 3_600_000)
        versions = NEW_VERSIONS if progress >= NEW_STYLE_FROM else OLD_VERSIONS
        return SessionSpec(
            session_id=new_uuid(rng),
            cwd=rng.choices(self.projects, self.project_weights)[0],
            version=rng.choice(versions),
            branch=rng.choice(BRANCHES),
            model=rng.choices(MAIN_MODELS, MAIN_MODEL_WEIGHTS)[0],
            start_ms=start_ms,
            budget=budget,
            long=long,
            cache_mode=rng.choices(("5m", "1h", "mixed"), (70, 20, 10))[0],
        )

    def _write_main_session(self, budget: int, long: bool) -> None:
        spec = self._spec(budget, long)
        project_dir = self.out / "projects" / encode_cwd(spec.cwd)
        # A long session always plans subagents (so every corpus has both layouts), others now and then.
        agents = self._plan_agents() if self.rng.random() < P_SUBAGENTS or long else []
        path = project_dir / f"{spec.session_id}.jsonl"
        session = Session(self, spec, TranscriptFile(path), agents)
        self._maybe_resume(session)
        session.write_all()
        self._finish_file(session)
        self.stats.main_sessions += 1
        self._remember_append_target(session)

    def _plan_agents(self) -> list[str]:
        ids: list[str] = []
        for _ in range(self.rng.randint(1, 3)):
            agent_id = f"a{self.rng.getrandbits(24):06x}"
            while agent_id in self.used_agent_ids:
                agent_id = f"a{self.rng.getrandbits(24):06x}"
            self.used_agent_ids.add(agent_id)
            ids.append(agent_id)
        return ids

    def _maybe_resume(self, session: Session) -> None:
        """Start some sessions with a copy of an earlier session's first lines, as a resumed session does."""
        prefix = self.resume_prefixes.get(session.spec.cwd)
        if prefix is None or self.rng.random() >= P_RESUME:
            return
        old_id, lines = prefix
        new_id = session.spec.session_id.encode()
        for line in lines:
            session.file.write_raw(line.replace(old_id.encode(), new_id))
        self.stats.resumed_sessions += 1

    def write_agent(
        self, parent: SessionSpec, spawned: SpawnedAgent, project_dir: Path
    ) -> tuple[list[progress.AgentCopy], int]:
        """Write a subagent's file while its parent waits for the result; returns its lines to copy and its end."""
        rng = self.rng
        nested = version_tuple(parent.version) >= (2, 1)
        if nested:
            folder = project_dir / parent.session_id / "subagents"
            self._write_agent_meta(folder, spawned)
        else:
            folder = project_dir
        spec = SessionSpec(
            session_id=parent.session_id,
            cwd=parent.cwd,
            version=parent.version,
            branch=parent.branch,
            model=rng.choices(SUBAGENT_MODELS, SUBAGENT_MODEL_WEIGHTS)[0],
            start_ms=spawned.start_ms,
            budget=clamp(parent.budget * rng.uniform(0.05, 0.25), 8 * KIB, min(self.max_budget, MAX_AGENT_BYTES)),
            cache_mode=parent.cache_mode,
            agent_id=spawned.agent_id,
            agent_prompt=spawned.prompt,
        )
        session = Session(self, spec, TranscriptFile(folder / f"agent-{spawned.agent_id}.jsonl"), [])
        session.write_all()
        self._finish_file(session)
        if nested:
            self.stats.nested_agent_files += 1
        else:
            self.stats.flat_agent_files += 1
        return session.copies, session.clock

    @staticmethod
    def _write_agent_meta(folder: Path, spawned: SpawnedAgent) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"agentType": AGENT_TYPES[0], "description": spawned.description}
        (folder / f"agent-{spawned.agent_id}.meta.json").write_bytes(orjson.dumps(meta))

    def _finish_file(self, session: Session) -> None:
        session.file.close(session.clock)
        self.stats.files += 1
        self.stats.jsonl_bytes += session.file.bytes
        self.stats.lines += session.file.lines
        self.stats.largest_file_bytes = max(self.stats.largest_file_bytes, session.file.bytes)
        if session.spec.agent_id is None and session.prefix_lines:
            self.resume_prefixes[session.spec.cwd] = (session.spec.session_id, session.prefix_lines)
        self.last_uuid = session.parent_uuid or self.last_uuid

    def _remember_append_target(self, session: Session) -> None:
        if self.append_target is not None or not 256 * KIB <= session.file.bytes <= 8 * MIB:
            return
        spec = session.spec
        self.append_target = AppendTarget(
            path=session.file.path.relative_to(self.out).as_posix(),
            session_id=spec.session_id,
            cwd=spec.cwd,
            version=spec.version,
            last_uuid=session.parent_uuid or "",
            last_ms=session.clock,
        )

    def write_history(self, prompt: str, ms: int, spec: SessionSpec) -> None:
        entry = {
            "display": prompt[:200],
            "pastedContents": {},
            "timestamp": ms,
            "project": spec.cwd,
            "sessionId": spec.session_id,
        }
        assert self._history is not None, "write_history() is only called from run()"
        self._history.write(orjson.dumps(entry) + b"\n")
        self.stats.history_lines += 1


class Session:
    """Writes one transcript (a main session or a subagent) turn by turn until its byte budget is used."""

    def __init__(self, gen: Generator, spec: SessionSpec, file: TranscriptFile, agents: list[str]) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.pool = gen.pool
        self.spec = spec
        self.file = file
        self.clock = spec.start_ms
        self.parent_uuid: str | None = None
        self.new_style = version_tuple(spec.version) >= (2, 1)
        self.is_agent = spec.agent_id is not None
        self.common = self._common_fields()
        self.pending_agents = list(agents)
        self.agent_of_tool: dict[str, SpawnedAgent] = {}
        self.hooks = self.rng.random() < progress.P_HOOKS
        self.copies: list[progress.AgentCopy] = []  # a subagent's prompt and responses, for agent_progress
        self.last_line: JsonObj = {}
        self.compacted = False
        self.prefix_lines: list[bytes] = []
        self.cached_tokens = 0
        self.pending_tokens = self.rng.randint(12_000, 28_000)  # system prompt and tools on the first call
        self.last_call_ms = 0
        self.edited: list[str] = []
        self.model = spec.model
        self.model_usage: dict[str, dict[str, int]] = {}

    def _common_fields(self) -> JsonObj:
        spec = self.spec
        common: JsonObj = {
            "userType": "external",
            "cwd": spec.cwd,
            "sessionId": spec.session_id,
            "version": spec.version,
            "gitBranch": spec.branch,
        }
        if spec.agent_id is not None:
            common["agentId"] = spec.agent_id
            common["slug"] = "quiet-orbiting-heron"
        return common

    # -- line helpers ------------------------------------------------------------------------------------

    def tick(self, low_ms: int, high_ms: int) -> str:
        self.clock += self.rng.randint(low_ms, high_ms)
        return iso(self.clock)

    def emit(self, body: JsonObj, *, chain: bool = True) -> str:
        """Write a message-like line: chained by parentUuid, with the session's common fields."""
        uuid = new_uuid(self.rng)
        head = {"parentUuid": self.parent_uuid, "isSidechain": self.is_agent}
        # 2.1.x writes the common fields after the payload, 2.0.x before it.
        line = {**head, **body, **self.common} if self.new_style else {**head, **self.common, **body}
        line["uuid"] = uuid
        line.setdefault("timestamp", iso(self.clock))
        size = self.file.write(line)
        self.last_line = line
        if chain:
            self.parent_uuid = uuid
        if not self.is_agent and len(self.prefix_lines) < RESUME_PREFIX_LINES and size < 4 * KIB:
            self.prefix_lines.append(orjson.dumps(line) + b"\n")
        return uuid

    def file_path(self) -> str:
        return f"{self.spec.cwd}/{self.rng.choice(SOURCE_FILES)}"

    def log_size(self, median: int, sigma: float, low: int, high: int) -> int:
        return clamp(self.rng.lognormvariate(math.log(median), sigma), low, high)

    # -- session structure -------------------------------------------------------------------------------

    def write_all(self) -> None:
        self.header()
        if self.is_agent:
            self.agent_body()
        else:
            self.turn()  # at least one, even when the header alone (a big attachment) is past the budget
            while self.file.bytes < self.spec.budget:
                self.turn()
        self.footer()

    def header(self) -> None:
        if self.hooks and not self.is_agent:
            progress.session_start_hook(self)
        if self.new_style and not self.is_agent:
            self.big_attachment()
        elif not self.is_agent and self.rng.random() < 0.3:
            for _ in range(self.rng.randint(1, 2)):
                # Titles point at a uuid of ANOTHER file, as real summary lines usually do.
                title = self.pool.text(self.rng.randint(20, 60)).replace("\n", " ")
                self.file.write({"type": "summary", "summary": title, "leafUuid": self.gen.last_uuid})

    def footer(self) -> None:
        if not self.new_style or self.is_agent:
            return
        if self.rng.random() < 0.5:
            title = self.pool.text(self.rng.randint(15, 50)).replace("\n", " ")
            self.file.write({"type": "custom-title", "customTitle": title, "sessionId": self.spec.session_id})
        self.cost_state()

    def cost_state(self) -> None:
        """The totals line written on exit: a summary that must not be added to the per-response counts."""
        self.file.write(
            {
                "type": "cost-state",
                "sessionId": self.spec.session_id,
                "totalCostUSD": round(self.rng.uniform(0.01, 40.0), 6),
                "totalDuration": self.clock - self.spec.start_ms,
                "modelUsage": self.model_usage,
                "hasUnknownModelCost": False,
            }
        )

    def agent_body(self) -> None:
        self.emit({"type": "user", "message": {"role": "user", "content": self.spec.agent_prompt}})
        self.copies.append((self.last_line, self.clock))
        while self.file.bytes < self.spec.budget:
            self.step(final=False)
        self.step(final=True)

    def turn(self) -> None:
        if self.rng.random() < 0.05:
            self.tick(600_000, 4 * 3_600_000)  # a break: long enough for the prompt cache to expire
        self.tick(5_000, 180_000)  # the user reads and types
        prompt_uuid = new_uuid(self.rng)
        self.snapshot(prompt_uuid)
        self.prompt()
        steps = 1 + min(12, int(self.rng.expovariate(1 / 2.5)))
        for index in range(steps):
            final = index == steps - 1 or self.file.bytes >= self.spec.budget
            self.step(final)
            if final:
                break
            if self.rng.random() < P_INTERRUPT:
                self.interrupt()
                break
        self.maybe_compact()
        if self.new_style:
            self.file.write({"type": "last-prompt", "lastPrompt": "", "sessionId": self.spec.session_id})

    def step(self, final: bool) -> None:
        """One model call: optional retries, the response's block lines, then the tool results."""
        if self.rng.random() < P_API_ERROR and self.api_errors():
            return
        if self.new_style and self.rng.random() < P_SHAPE_LINE:
            self.shape_line()
        for tool_use in self.assistant_response(final):
            self.tool_result(tool_use)

    # -- user-side lines -----------------------------------------------------------------------------------

    def snapshot(self, message_id: str) -> None:
        backups = {
            path.removeprefix(self.spec.cwd + "/"): {
                "backupFileName": f"{self.rng.getrandbits(64):016x}@v{n + 1}",
                "version": n + 1,
                "backupTime": iso(self.clock),
            }
            for n, path in enumerate(self.edited[-4:])
        }
        snapshot = {"messageId": message_id, "trackedFileBackups": backups, "timestamp": iso(self.clock)}
        self.file.write(
            {"type": "file-history-snapshot", "messageId": message_id, "snapshot": snapshot, "isSnapshotUpdate": False}
        )

    def prompt(self) -> None:
        rng = self.rng
        if rng.random() < 0.1:
            text = self.pool.text(rng.randint(5_000, 25_000))  # a pasted log or file
        else:
            text = self.pool.text(self.log_size(300, 1.0, 10, 20_000))
        if self.new_style:
            self.file.write(
                {
                    "type": "queue-operation",
                    "operation": "enqueue",
                    "timestamp": iso(self.clock),
                    "sessionId": self.spec.session_id,
                    "content": text[:120],
                }
            )
        content: Any = text if rng.random() < 0.85 else [{"type": "text", "text": text}]
        self.emit({"type": "user", "message": {"role": "user", "content": content}})
        self.pending_tokens += len(text) // 4
        self.gen.write_history(text, self.clock, self.spec)

    def interrupt(self) -> None:
        content = [{"type": "text", "text": "[Request interrupted by user]"}]
        self.emit({"type": "user", "message": {"role": "user", "content": content}})

    def maybe_compact(self) -> None:
        # A long session (one of the large files) is compacted at least once, half-way through.
        halfway = self.spec.long and not self.compacted and self.file.bytes * 2 >= self.spec.budget
        if self.cached_tokens < COMPACT_AT_TOKENS and not halfway and self.rng.random() >= P_COMPACT:
            return
        self.compacted = True
        trigger = "auto" if self.cached_tokens >= COMPACT_AT_TOKENS else "manual"
        meta = {"trigger": trigger, "preTokens": self.cached_tokens}
        self.emit(
            {
                "type": "system",
                "subtype": "compact_boundary",
                "content": "Conversation compacted",
                "isMeta": False,
                "level": "info",
                "compactMetadata": meta,
                "timestamp": self.tick(2_000, 30_000),
            }
        )
        summary = "This session is being continued from a previous conversation that ran out of context.\n"
        summary += self.pool.text(self.rng.randint(2_000, 8_000))
        self.emit({"type": "user", "message": {"role": "user", "content": summary}, "isCompactSummary": True})
        self.cached_tokens = 0
        self.pending_tokens = self.rng.randint(15_000, 30_000)

    # -- large lines to skip -------------------------------------------------------------------------------

    def big_attachment(self) -> None:
        """A system-prompt snapshot: the payload comes BEFORE "type", so a reader cannot stop at the type."""
        payload = {"type": "prompt_snapshot", "systemPrompt": [self.pool.text(self.rng.randint(20_000, 100_000))]}
        self.emit({"attachment": payload, "type": "attachment"})
        self.gen.stats.big_lines += 1

    def shape_line(self) -> None:
        shape = {
            "system": [{"type": "text", "text": self.pool.text(self.rng.randint(20_000, 100_000))}],
            "tools": [{"name": name} for name in TOOL_NAMES],
        }
        self.file.write(
            {
                "type": "api-request-shape",
                "sessionId": self.spec.session_id,
                "shapeHash": f"{self.rng.getrandbits(256):064x}",
                "timestamp": iso(self.clock),
                "version": self.spec.version,
                "shape": shape,
            }
        )
        self.gen.stats.big_lines += 1

    # -- errors ----------------------------------------------------------------------------------------------

    def api_errors(self) -> bool:
        """Retries of a failed call; returns True when the call finally failed (a <synthetic> message)."""
        retries = self.rng.randint(1, 4)
        for attempt in range(1, retries + 1):
            delay = int(500 * 2 ** (attempt - 1) * self.rng.uniform(0.8, 1.2))
            error = {"status": self.rng.choice((429, 500, 529)), "requestId": new_token(self.rng, "req_011C")}
            self.emit(
                {
                    "type": "system",
                    "subtype": "api_error",
                    "level": "error",
                    "error": error,
                    "retryInMs": delay,
                    "retryAttempt": attempt,
                    "maxRetries": 10,
                    "timestamp": self.tick(delay, delay + 500),
                }
            )
        if self.rng.random() >= P_SYNTHETIC_AFTER_ERRORS:
            return False
        self.synthetic_message()
        return True

    def synthetic_message(self) -> None:
        usage = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        message = {
            "id": new_uuid(self.rng),
            "model": "<synthetic>",
            "role": "assistant",
            "type": "message",
            "content": [{"type": "text", "text": "API Error: 529 Overloaded"}],
            "stop_reason": "stop_sequence",
            "usage": usage,
        }
        self.emit({"type": "assistant", "message": message, "isApiErrorMessage": True})
        self.gen.totals.synthetic_messages += 1

    # -- assistant responses ---------------------------------------------------------------------------------

    def usage(self, output_tokens: int) -> JsonObj:
        """Usage of one call; the prompt cache expires when the user was away longer than its TTL."""
        rng = self.rng
        ttl_ms = 3_600_000 if self.spec.cache_mode == "1h" else 300_000
        if self.last_call_ms and self.clock - self.last_call_ms > ttl_ms:
            self.pending_tokens += self.cached_tokens
            self.cached_tokens = 0
        creation = self.pending_tokens + rng.randint(0, 400)
        five, hour = self.split_creation(creation)
        usage = {
            "input_tokens": rng.randint(1, 12) if rng.random() < 0.95 else rng.randint(100, 5_000),
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": self.cached_tokens,
            "cache_creation": {"ephemeral_5m_input_tokens": five, "ephemeral_1h_input_tokens": hour},
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }
        if self.new_style:
            searches = 1 if rng.random() < 0.01 else 0
            usage["server_tool_use"] = {"web_search_requests": searches, "web_fetch_requests": 0}
        self.cached_tokens += creation
        self.pending_tokens = output_tokens
        self.last_call_ms = self.clock
        return usage

    def split_creation(self, creation: int) -> tuple[int, int]:
        if self.spec.cache_mode == "5m":
            return creation, 0
        if self.spec.cache_mode == "1h":
            return 0, creation
        hour = int(creation * self.rng.uniform(0.3, 0.9))
        return creation - hour, hour

    def content_blocks(self, final: bool) -> list[JsonObj]:
        rng = self.rng
        blocks: list[JsonObj] = []
        if rng.random() < 0.3:
            signature = self.pool.text(rng.randint(200, 1_200)).replace("\n", "")
            thinking = self.pool.text(self.log_size(800, 0.8, 50, 8_000))
            blocks.append({"type": "thinking", "thinking": thinking, "signature": signature})
        if final or rng.random() < 0.7:
            blocks.append({"type": "text", "text": self.pool.text(self.log_size(400, 1.0, 5, 12_000))})
        if not final:
            blocks.extend(self.tool_use() for _ in range(rng.choices((1, 2, 3), (75, 18, 7))[0]))
        return blocks

    def assistant_response(self, final: bool) -> list[JsonObj]:
        """One response written as one line per content block, each with a copy of usage."""
        rng = self.rng
        if rng.random() < 0.02 and not self.is_agent:
            self.model = rng.choices(MAIN_MODELS, MAIN_MODEL_WEIGHTS)[0]  # a /model switch
        self.tick(1_500, 12_000)
        blocks = self.content_blocks(final)
        output = self.log_size(150, 1.1, 1, 32_000) + sum(len(b.get("thinking", "")) // 4 for b in blocks)
        usage = self.usage(output)
        message_id = new_token(rng, "msg_01")
        request_id = new_token(rng, "req_011C")
        first_output = output
        for index, block in enumerate(blocks):
            last = index == len(blocks) - 1
            line_usage = dict(usage)
            if not last:
                # Earlier copies carry the streaming start value, not the final count.
                line_usage["output_tokens"] = min(output, rng.randint(1, 30))
            if index == 0:
                first_output = line_usage["output_tokens"]
            stop = ("tool_use" if block["type"] == "tool_use" else "end_turn") if last else None
            message = {
                "model": self.model,
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "content": [block],
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": line_usage,
            }
            self.emit({"type": "assistant", "message": message, "requestId": request_id})
            self.tick(20, 2_500)
        self.gen.totals.add(self.model, usage, first_output)
        if self.is_agent:
            self.gen.subagent_totals.add(self.model, usage, first_output)
            if len(self.copies) < progress.MAX_AGENT_COPIES:
                self.copies.append((self.last_line, self.clock))
        self.count_model_usage(usage)
        return [block for block in blocks if block["type"] == "tool_use"]

    def count_model_usage(self, usage: JsonObj) -> None:
        row = self.model_usage.setdefault(
            self.model,
            {"inputTokens": 0, "outputTokens": 0, "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0},
        )
        row["inputTokens"] += usage["input_tokens"]
        row["outputTokens"] += usage["output_tokens"]
        row["cacheReadInputTokens"] += usage["cache_read_input_tokens"]
        row["cacheCreationInputTokens"] += usage["cache_creation_input_tokens"]

    # -- tools -----------------------------------------------------------------------------------------------

    def tool_use(self) -> JsonObj:
        rng = self.rng
        tool_id = new_token(rng, "toolu_01", 88)
        if self.pending_agents and rng.random() < 0.2:
            return self.agent_tool_use(tool_id)
        if rng.random() < P_MCP:
            server, tool = rng.choice(progress.MCP_SERVERS)
            name = f"mcp__{server}__{tool}"
            return {"type": "tool_use", "id": tool_id, "name": name, "input": {"query": "open bugs"}}
        name = rng.choices(TOOL_NAMES, TOOL_WEIGHTS)[0]
        tool_input: JsonObj
        if name == "Bash":
            tool_input = {"command": rng.choice(BASH_COMMANDS), "description": "Run a command"}
        elif name == "Grep":
            tool_input = {"pattern": self.pool.text(8).strip() or "TODO", "path": self.spec.cwd}
        elif name == "Read":
            tool_input = {"file_path": self.file_path()}
        elif name == "Edit":
            tool_input = {
                "file_path": self.file_path(),
                "old_string": self.pool.text(rng.randint(40, 800)),
                "new_string": self.pool.text(rng.randint(40, 900)),
            }
        else:
            tool_input = {
                "file_path": self.file_path(),
                "content": self.pool.text(self.log_size(1_500, 1.0, 50, 30_000)),
            }
        if name in ("Edit", "Write"):
            self.edited.append(tool_input["file_path"])
        return {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}

    def agent_tool_use(self, tool_id: str) -> JsonObj:
        agent_id = self.pending_agents.pop(0)
        description = self.pool.text(self.rng.randint(15, 40)).replace("\n", " ")
        prompt = self.pool.text(self.rng.randint(200, 2_000))
        name = "Agent" if version_tuple(self.spec.version) >= AGENT_TOOL_FROM else "Task"
        tool_input = {"subagent_type": AGENT_TYPES[0], "description": description, "prompt": prompt}
        self.agent_of_tool[tool_id] = SpawnedAgent(agent_id, self.clock, description, prompt)
        return {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}

    def tool_result(self, tool_use: JsonObj) -> None:
        self.tool_progress(tool_use)
        self.tick(100, 20_000)
        text, result = self.tool_output(tool_use)
        is_error = self.rng.random() < 0.03
        block = {"tool_use_id": tool_use["id"], "type": "tool_result", "content": text, "is_error": is_error}
        if self.hooks:
            progress.post_tool_hook(self, tool_use)
        self.emit({"type": "user", "message": {"role": "user", "content": [block]}, "toolUseResult": result})
        self.pending_tokens += len(text) // 4

    def tool_progress(self, tool_use: JsonObj) -> None:
        """What Claude Code writes while the tool runs: a subagent's whole run, a command's output, MCP status."""
        name = tool_use["name"]
        if name in ("Task", "Agent"):
            spawned = self.agent_of_tool[tool_use["id"]]
            copies, end_ms = self.gen.write_agent(self.spec, spawned, self.file.path.parent)
            progress.agent_progress(self, tool_use, spawned.agent_id, spawned.prompt, copies)
            self.clock = max(self.clock, end_ms)
        elif name == "Bash" and self.rng.random() < progress.P_BASH_PROGRESS:
            progress.bash_progress(self, tool_use)
        elif name.startswith("mcp__"):
            progress.mcp_progress(self, tool_use, "started")
            self.tick(80, 4_000)
            progress.mcp_progress(self, tool_use, "completed")

    def tool_output(self, tool_use: JsonObj) -> tuple[str, Any]:
        """The result text sent to the model and the structured toolUseResult Claude Code keeps next to it."""
        name = tool_use["name"]
        tool_input = tool_use["input"]
        if name in ("Task", "Agent"):
            return self.agent_output(tool_use)
        if name.startswith("mcp__"):
            text = self.pool.text(self.log_size(2_000, 1.0, 50, 40_000))
            return text, [{"type": "text", "text": text}]
        if name == "Read":
            text = self.pool.text(self.log_size(3_000, 1.2, 20, 80_000))
            lines = text.count("\n") + 1
            file = {
                "filePath": tool_input["file_path"],
                "content": text,
                "numLines": lines,
                "startLine": 1,
                "totalLines": lines,
            }
            return text, {"type": "text", "file": file}
        if name == "Edit":
            return self.edit_output(tool_input)
        if name == "Write":
            text = f"File created successfully at: {tool_input['file_path']}"
            result = {
                "type": "create",
                "filePath": tool_input["file_path"],
                "content": tool_input["content"],
                "structuredPatch": [],
                "originalFile": None,
            }
            return text, result
        if name == "Grep":
            names = [self.file_path() for _ in range(self.rng.randint(0, 12))]
            return "\n".join(names) or "No files found", {
                "mode": "files_with_matches",
                "filenames": names,
                "numFiles": len(names),
            }
        text = self.pool.text(self.log_size(1_500, 1.4, 0, 60_000))
        return text, {"stdout": text, "stderr": "", "interrupted": False, "isImage": False}

    def edit_output(self, tool_input: JsonObj) -> tuple[str, JsonObj]:
        snippet = self.pool.text(self.rng.randint(300, 3_000))
        text = f"The file {tool_input['file_path']} has been updated. Here's the result:\n{snippet}"
        hunk = {
            "oldStart": 1,
            "oldLines": 3,
            "newStart": 1,
            "newLines": 4,
            "lines": [" " + self.pool.text(60), "-" + self.pool.text(60), "+" + self.pool.text(60)],
        }
        result = {
            "filePath": tool_input["file_path"],
            "oldString": tool_input["old_string"],
            "newString": tool_input["new_string"],
            "originalFile": self.pool.text(self.log_size(4_000, 1.0, 200, 60_000)),
            "structuredPatch": [hunk],
            "userModified": False,
            "replaceAll": False,
        }
        return text, result

    def agent_output(self, tool_use: JsonObj) -> tuple[str, JsonObj]:
        """A Task/Agent result: its usage summary repeats the subagent's calls and must not be counted."""
        report = self.pool.text(self.rng.randint(500, 6_000))
        usage = {
            "input_tokens": 0,
            "cache_creation_input_tokens": self.rng.randint(500, 5_000),
            "cache_read_input_tokens": self.rng.randint(10_000, 90_000),
            "output_tokens": self.rng.randint(200, 5_000),
            "service_tier": "standard",
        }
        result = {
            "status": "completed",
            "prompt": tool_use["input"]["prompt"],
            "agentId": self.agent_of_tool.pop(tool_use["id"]).agent_id,
            "content": [{"type": "text", "text": report}],
            "totalDurationMs": self.rng.randint(5_000, 300_000),
            "totalTokens": sum(v for v in usage.values() if isinstance(v, int)),
            "totalToolUseCount": self.rng.randint(1, 40),
            "usage": usage,
        }
        return report, result


# -- public API -------------------------------------------------------------------------------------------


def manifest_path(out: Path) -> Path:
    return out / MANIFEST_NAME


def read_manifest(out: Path) -> JsonObj | None:
    try:
        data: JsonObj = orjson.loads(manifest_path(out).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return data


def manifest_matches(manifest: JsonObj | None, params: Params) -> bool:
    return (
        manifest is not None
        and manifest.get("generatorVersion") == GENERATOR_VERSION
        and (manifest.get("params") == asdict(params))
    )


def generate(out: Path, params: Params) -> JsonObj:
    """Write a corpus into ``out`` (which must be absent or empty) and return its manifest."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    started = time.perf_counter()
    gen = Generator(out, params)
    gen.run()
    seconds = time.perf_counter() - started
    manifest: JsonObj = {
        "generatorVersion": GENERATOR_VERSION,
        "params": asdict(params),
        "stats": asdict(gen.stats),
        "expected": asdict(gen.totals),
        # The part of "expected" written in subagent files (the agent_progress copies in parents must add nothing).
        "expectedSubagents": asdict(gen.subagent_totals),
        "appendTarget": asdict(gen.append_target) if gen.append_target else None,
        "generationSeconds": round(seconds, 3),
        "generationMBps": round(gen.stats.jsonl_bytes / MIB / max(seconds, 1e-9), 1),
    }
    manifest_path(out).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


def appended_assistant_line(target: AppendTarget, seed: int = 0) -> tuple[bytes, JsonObj]:
    """A new single-block assistant response for ``target``; returns the line and its usage."""
    rng = random.Random(f"append-{seed}")
    usage = {
        "input_tokens": 4,
        "cache_creation_input_tokens": 1_234,
        "cache_read_input_tokens": 45_678,
        "cache_creation": {"ephemeral_5m_input_tokens": 1_234, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 321,
        "service_tier": "standard",
    }
    message = {
        "model": MAIN_MODELS[0],
        "id": new_token(rng, "msg_01"),
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "Appended by the benchmark."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
    line = {
        "parentUuid": target.last_uuid,
        "isSidechain": False,
        "userType": "external",
        "cwd": target.cwd,
        "sessionId": target.session_id,
        "version": target.version,
        "gitBranch": "main",
        "message": message,
        "requestId": new_token(rng, "req_011C"),
        "type": "assistant",
        "uuid": new_uuid(rng),
        "timestamp": iso(target.last_ms + 60_000),
    }
    return orjson.dumps(line) + b"\n", usage


def iter_transcripts(out: Path) -> Iterator[Path]:
    yield from sorted((out / "projects").rglob("*.jsonl"))


# -- digest ---------------------------------------------------------------------------------------------------


def tree_digest(out: Path) -> str:
    """A digest of every file but the manifest (which holds the generation time): same digest, same corpus."""
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST_NAME):
        digest.update(path.relative_to(out).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
