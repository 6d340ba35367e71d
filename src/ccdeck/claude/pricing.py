"""API-equivalent cost of a response, from genai-prices' offline, dated price table.

`genai_prices.calc_price` takes ~0.4 ms a call, far too slow for millions of responses, so `Pricer` asks it once
per (model, day, tier) for per-token rates and prices each response as a dot product. Within one tier Anthropic's
prices are linear in every token kind, so this is exact; `tests/claude/test_pricing.py` pins it against
`calc_price` itself. A model genai-prices does not know is unpriced (None), never $0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from ccdeck.models import TokenUsage

if TYPE_CHECKING:
    from genai_prices import Usage

# Anthropic bills a whole request at the long-context rate once its prompt (uncached input plus cache reads and
# writes) exceeds 200k tokens; genai-prices models this as a tier on the same threshold.
LONG_CONTEXT_THRESHOLD = 200_000
# Probe amounts small enough that a base-tier probe's prompt stays under the threshold.
_PROBE = 100_000


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per token (per request for web searches) within one tier."""

    input: float
    output: float
    cache_read: float
    cache_5m: float
    cache_1h: float
    web_search: float

    def cost(self, u: TokenUsage) -> float:
        return (
            u.input * self.input
            + u.output * self.output
            + u.cache_read * self.cache_read
            + u.cache_5m * self.cache_5m
            + u.cache_1h * self.cache_1h
            + u.web_search * self.web_search
        )


def genai_usage(u: TokenUsage) -> Usage:
    """Our token counts in genai-prices' terms, whose `input_tokens` includes the cache tokens."""
    from genai_prices import Usage

    return Usage(
        input_tokens=u.input + u.cache_read + u.cache_creation,
        output_tokens=u.output,
        cache_read_tokens=u.cache_read,
        cache_write_tokens=u.cache_creation,
        cache_write_5m_tokens=u.cache_5m,
        cache_write_1h_tokens=u.cache_1h,
        web_searches=u.web_search,
    )


def reference_cost(model: str, u: TokenUsage, when: datetime) -> float | None:
    """genai-prices' own answer, slow; for tests and for checking `Pricer`."""
    from genai_prices import calc_price

    try:
        context = {"speed": "fast"} if u.fast else None
        result = calc_price(
            genai_usage(u), model, provider_id="anthropic", genai_request_timestamp=when, price_context=context
        )
    except LookupError:
        return None
    return float(result.total_price)


@lru_cache(maxsize=4096)
def _rates(model: str, day: str, long_context: bool, fast: bool) -> Rates | None:
    when = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    base = {"input": LONG_CONTEXT_THRESHOLD + 1 if long_context else 0}
    base_cost = reference_cost(model, TokenUsage(**base, fast=fast), when)
    if base_cost is None:
        return None

    def rate(field: str, amount: int = _PROBE) -> float:
        fields = dict(base)
        fields[field] = fields.get(field, 0) + amount
        fields["cache_creation"] = fields.get("cache_5m", 0) + fields.get("cache_1h", 0)
        cost = reference_cost(model, TokenUsage(**fields, fast=fast), when)
        return ((cost or 0.0) - base_cost) / amount

    return Rates(
        input=rate("input"),
        output=rate("output"),
        cache_read=rate("cache_read"),
        cache_5m=rate("cache_5m"),
        cache_1h=rate("cache_1h"),
        web_search=rate("web_search", 1000),
    )


class Pricer:
    """Prices responses; remembers which models it could not price."""

    def __init__(self) -> None:
        self.unpriced: set[str] = set()

    def cost(self, model: str, usage: TokenUsage, timestamp: float) -> float | None:
        day = datetime.fromtimestamp(timestamp, UTC).date().isoformat()
        prompt = usage.input + usage.cache_read + usage.cache_creation
        rates = _rates(model, day, prompt > LONG_CONTEXT_THRESHOLD, usage.fast)
        if rates is None:
            self.unpriced.add(model)
            return None
        return rates.cost(usage)


def rates_at(model: str, timestamp: float, *, long_context: bool = False) -> Rates | None:
    """Per-token rates of `model` on the day of `timestamp` (standard speed); None when the model is unpriced."""
    day = datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    return _rates(model, day, long_context, False)
