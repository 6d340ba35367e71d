"""Records shared by every layer: token counts, the one token-and-cost accumulator and its rules (unpriced is
None, costs rounded once, at the JSON edge), and what Claude Code's small files say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ccdeck.shapes.common import TimelineKind, TokenFields
from ccdeck.shapes.common import Totals as TotalsJson

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


def usd(cost: float | None) -> float | None:
    """A cost as JSON shows it: rounded to the micro-dollar (sums of floats carry noise past it); None stays None."""
    return None if cost is None else round(cost, 6)


@dataclass(slots=True)
class Totals:
    """Tokens and cost summed over responses, models, attempts or tasks: the one accumulator.

    `cost` is None once any part is unpriced (`sum_costs`); `unpriced_models` names the models that made it so.
    """

    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    cost: float | None = 0.0
    unpriced_models: set[str] = field(default_factory=set)
    # What recorded totals (`add_json`) hold beyond their four counts: a figure recorded with its total only.
    other_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_creation + self.cache_read + self.other_tokens

    def add(self, inp: int, out: int, cc: int, cr: int, cost: float | None, model: str | None = None) -> None:
        self.input += inp
        self.output += out
        self.cache_creation += cc
        self.cache_read += cr
        self.cost = sum_costs((self.cost, cost))
        if cost is None and model is not None:
            self.unpriced_models.add(model)

    def add_usage(self, usage: TokenUsage, cost: float | None, model: str | None = None) -> None:
        self.add(usage.input, usage.output, usage.cache_creation, usage.cache_read, cost, model)

    @classmethod
    def from_sums(
        cls, inp: int, out: int, cc: int, cr: int, cost: float | None, unpriced: int, model: str | None = None
    ) -> Totals:
        """Totals from SQL sums: `cost` is SUM(cost_usd), `unpriced` the number of responses without a price."""
        totals = cls(inp, out, cc, cr, cost_of_sums(cost, unpriced))
        if unpriced:
            totals.unpriced_models.add(model or "unknown model")
        return totals

    def add_json(self, fields: Mapping[str, Any]) -> None:
        """Add the token fields and `costUSD` that `as_json` wrote (a task's `model_usage`); absent ones are 0, and
        an absent cost unknown (None)."""
        get = fields.get
        counts = (get("inputTokens") or 0, get("outputTokens") or 0, get("cacheCreationTokens") or 0,
                  get("cacheReadTokens") or 0)  # fmt: skip
        self.add(*counts, get("costUSD"))
        self.other_tokens += (get("totalTokens") or 0) - sum(counts)

    def merge(self, other: Totals) -> None:
        self.add(other.input, other.output, other.cache_creation, other.cache_read, other.cost)
        self.unpriced_models |= other.unpriced_models
        self.other_tokens += other.other_tokens

    @property
    def cost_usd(self) -> float | None:
        """The estimate in USD, rounded (`usd`); None when any part is unpriced."""
        return usd(self.cost)

    def fields(self) -> TokenFields:
        """The token fields of the JSON shapes (`token_fields`); `totalTokens` counts `other_tokens` too."""
        fields = token_fields(self.input, self.output, self.cache_creation, self.cache_read)
        if self.other_tokens:
            fields["totalTokens"] = self.total
        return fields

    def as_json(self, *, rounded: bool = True) -> TotalsJson:
        """The token fields and `costUSD`; not `rounded` for a figure recorded as it was given (the CLI's cost of a
        task is stored, and shown, to its last digit)."""
        return {**self.fields(), "costUSD": usd(self.cost) if rounded else self.cost}


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
