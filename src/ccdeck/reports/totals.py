"""Token and cost totals, and their JSON shape (the same field names in every report and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ccdeck.models import cost_of_sums, sum_costs, token_fields
from ccdeck.shapes.common import Totals as TotalsJson


@dataclass
class Totals:
    """Tokens and cost of some responses. `cost` is None once any of them is unpriced (`sum_costs`)."""

    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    cost: float | None = 0.0
    unpriced_models: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_creation + self.cache_read

    def add(self, inp: int, out: int, cc: int, cr: int, cost: float | None, model: str | None = None) -> None:
        self.input += inp
        self.output += out
        self.cache_creation += cc
        self.cache_read += cr
        self.cost = sum_costs((self.cost, cost))
        if cost is None and model is not None:
            self.unpriced_models.add(model)

    @classmethod
    def from_sums(
        cls, inp: int, out: int, cc: int, cr: int, cost: float | None, unpriced: int, model: str | None = None
    ) -> Totals:
        """Totals from SQL sums: `cost` is SUM(cost_usd), `unpriced` the number of responses without a price."""
        totals = cls(inp, out, cc, cr, cost_of_sums(cost, unpriced))
        if unpriced:
            totals.unpriced_models.add(model or "unknown model")
        return totals

    def merge(self, other: Totals) -> None:
        self.add(other.input, other.output, other.cache_creation, other.cache_read, other.cost)
        self.unpriced_models |= other.unpriced_models

    @property
    def cost_usd(self) -> float | None:
        """The estimate in USD, rounded; None when any part is unpriced."""
        return None if self.cost is None else round(self.cost, 6)

    def as_json(self) -> TotalsJson:
        return {**token_fields(self.input, self.output, self.cache_creation, self.cache_read), "costUSD": self.cost_usd}
