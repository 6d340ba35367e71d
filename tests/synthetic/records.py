"""The records of a generation: its parameters, what it wrote (totals, stats) and what each transcript is."""

from __future__ import annotations

from dataclasses import dataclass, field

from synthetic.constants import MIB, JsonObj

AgentCopy = tuple[JsonObj, int]  # a line of a subagent's file and its time (ms), for agent_progress


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
