"""Frozen records shared by every layer: token counts, what Claude Code's small files say, what reports show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ccdeck.shapes.common import TimelineKind, TokenFields

EventKind = TimelineKind
TitleSource = Literal["custom-title", "ai-title", "summary"]
# The model name of the error stand-ins Claude Code writes itself (zero usage, never billed): never a model.
SYNTHETIC_MODEL = "<synthetic>"


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """One API response's tokens. `input` excludes cache tokens, as Anthropic reports it."""

    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    cache_5m: int = 0
    cache_1h: int = 0
    web_search: int = 0
    fast: bool = False  # `usage.speed == "fast"`: fast mode, billed at its own (higher) rates

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_creation + self.cache_read


def token_fields(input: int, output: int, cache_creation: int, cache_read: int) -> TokenFields:
    """The token fields of every JSON shape (reports, API, runs), named once."""
    return {
        "inputTokens": input,
        "outputTokens": output,
        "cacheCreationTokens": cache_creation,
        "cacheReadTokens": cache_read,
        "totalTokens": input + output + cache_creation + cache_read,
    }


def sum_costs(costs: Iterable[float | None]) -> float | None:
    """The one rule for every cost total: the sum of its parts, None (unpriced) as soon as one part is unpriced.

    A sum of the priced parts only would pass for the whole: a folder of unpriced sessions would cost "$0".
    No parts at all cost 0.0.
    """
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def cost_of_sums(cost_sum: float | None, unpriced: int) -> float | None:
    """`sum_costs` over SQL aggregates: `SUM(cost_usd)` and `COUNT(*) - COUNT(cost_usd)` of the same rows."""
    return sum_costs([None] if unpriced else [cost_sum or 0.0])


@dataclass(frozen=True, slots=True)
class Title:
    """A session title line. `summary` lines name a leaf uuid (often in another file), not a session."""

    source: TitleSource
    text: str
    session_id: str | None
    leaf_uuid: str | None


@dataclass(frozen=True, slots=True)
class Malformed:
    """A line that is not a JSON object, or whose fields have impossible types."""

    reason: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One prompt from `history.jsonl`."""

    timestamp: float
    display: str
    project: str | None
    session_id: str | None


@dataclass(frozen=True, slots=True)
class LiveSession:
    """One `sessions/<pid>.json` of the live registry."""

    pid: int
    session_id: str
    cwd: str | None
    started_at: float | None
    updated_at: float | None
    version: str | None
    status: str | None  # idle | busy | waiting (2.1.330); None on versions that do not publish it
    config_dir: str
    waiting_for: str | None = None  # with status `waiting`: "permission prompt", "input needed", ...
    status_updated_at: float | None = None
    kind: str | None = None  # interactive | bg
    proc_start: str | None = None  # field 22 of /proc/<pid>/stat: tells a reused pid apart
    name: str | None = None
    job_id: str | None = None
