"""Token and cost totals, and their JSON shape (the same field names in every report and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class Totals:
    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    cost: float = 0.0
    priced: bool = False
    unpriced_models: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_creation + self.cache_read

    def add(self, inp: int, out: int, cc: int, cr: int, cost: float | None, model: str | None = None) -> None:
        self.input += inp
        self.output += out
        self.cache_creation += cc
        self.cache_read += cr
        if cost is None:
            if model is not None:
                self.unpriced_models.add(model)
        else:
            self.cost += cost
            self.priced = True

    def merge(self, other: Totals) -> None:
        self.add(
            other.input, other.output, other.cache_creation, other.cache_read, other.cost if other.priced else None
        )
        self.unpriced_models |= other.unpriced_models

    @property
    def cost_usd(self) -> float | None:
        """The estimate in USD; None when tokens exist but no model of them has a known price."""
        if self.priced or not self.unpriced_models:
            return round(self.cost, 6)
        return None

    def as_json(self) -> dict[str, object]:
        return {
            "inputTokens": self.input,
            "outputTokens": self.output,
            "cacheCreationTokens": self.cache_creation,
            "cacheReadTokens": self.cache_read,
            "totalTokens": self.total,
            "costUSD": self.cost_usd,
        }


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO-8601 UTC with milliseconds, like Claude Code writes them."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
