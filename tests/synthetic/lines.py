"""A transcript being written: its state, and the helpers that write one line of it."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Protocol

import orjson

from synthetic.constants import KIB, P_HOOKS, RESUME_PREFIX_LINES, SOURCE_FILES, JsonObj
from synthetic.primitives import TextPool, TranscriptFile, clamp, iso, new_uuid, version_tuple
from synthetic.records import AgentCopy, SessionSpec, SpawnedAgent, Stats, Totals


class Corpus(Protocol):
    """What a transcript needs of the corpus it belongs to (the Generator)."""

    rng: random.Random
    pool: TextPool
    totals: Totals
    subagent_totals: Totals
    stats: Stats
    last_uuid: str

    def write_agent(
        self, parent: SessionSpec, spawned: SpawnedAgent, project_dir: Path
    ) -> tuple[list[AgentCopy], int]: ...

    def write_history(self, prompt: str, ms: int, spec: SessionSpec) -> None: ...


class Lines:
    """The state of one transcript (a main session or a subagent) and how one line of it is written."""

    def __init__(self, gen: Corpus, spec: SessionSpec, file: TranscriptFile, agents: list[str]) -> None:
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
        self.hooks = self.rng.random() < P_HOOKS
        self.copies: list[AgentCopy] = []  # a subagent's prompt and responses, for agent_progress
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
