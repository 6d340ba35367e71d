"""API-equivalent cost of a response, from genai-prices' offline, dated price table.

Which price a model gets: a Claude model gets Anthropic's list price, found by genai-prices' own matching within
Anthropic (dated ids, aliases). Any other model (GLM, DeepSeek, MiniMax... run through Claude Code against their
Anthropic-compatible endpoints) gets a list price only when some other provider in genai-prices lists a model of
exactly that id (case aside); `price_source` names that provider. A loose match (`MiniMax-M2.1` priced as
`MiniMax-M2`) would be a guess presented as a fact, so such a model stays unpriced (None), never $0.

`genai_prices.calc_price` takes ~0.4 ms a call, far too slow for millions of responses, so `Pricer` asks it once
per (model, day, tier) for per-token rates and prices each response as a dot product. Within one tier the prices
are linear in every token kind, so this is exact; `tests/claude/test_pricing.py` pins it against `reference_cost`.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from ccdeck.models import TokenUsage

if TYPE_CHECKING:
    from genai_prices import Usage
    from genai_prices.types import ModelInfo, ModelPrice, Provider

ANTHROPIC = "anthropic"
# Anthropic bills a whole request at the long-context rate once its prompt (uncached input plus cache reads and
# writes) exceeds 200k tokens; genai-prices models this as a tier on the same threshold.
LONG_CONTEXT_THRESHOLD = 200_000
# Probe amounts small enough that a probe stays inside the tier it measures (the lowest threshold known is 100k).
_PROBE = 10_000

# Long-context rates genai-prices lacks: {genai-prices model id: {price key: (its base price, price above the
# threshold)}}, USD per million tokens. Applied only where genai-prices has that exact flat base price, so a newer
# genai-prices with its own tier (or another base price) wins.
# Sonnet 4 over 200k input tokens (1M context beta): https://www.anthropic.com/pricing#api and
# https://docs.claude.com/en/docs/about-claude/pricing#long-context-pricing
LONG_CONTEXT_OVERRIDES: dict[str, dict[str, tuple[str, str]]] = {
    "claude-sonnet-4-0": {
        "input_mtok": ("3", "6"),
        "output_mtok": ("15", "22.5"),
        "cache_write_mtok": ("3.75", "7.5"),
        "cache_write_1h_mtok": ("6", "12"),
        "cache_read_mtok": ("0.3", "0.6"),
    },
}


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


@lru_cache(maxsize=4096)
def _lookup(model: str) -> tuple[Provider, ModelInfo] | None:
    """Anthropic's model by genai-prices' matching, else another provider's model whose id is exactly `model`."""
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    try:
        return snapshot.find_provider_model(model, None, ANTHROPIC, None)
    except LookupError:
        pass
    ref = model.lower()
    exact = [(p, m) for p in snapshot.providers if p.id != ANTHROPIC for m in p.models if m.id.lower() == ref]
    # Of several providers listing the id, the one genai-prices itself names for it (the model's maker).
    makers = [(p, m) for p, m in exact if p.model_match is not None and p.model_match.is_match(ref)]
    return (makers or exact)[0] if exact else None


def price_source(model: str) -> str | None:
    """The genai-prices provider whose list price `model` is priced at ("anthropic", "zai", ...); None: unpriced."""
    found = _lookup(model)
    return None if found is None else found[0].id


def _prices(info: ModelInfo, when: datetime, fast: bool) -> ModelPrice:
    """The model's prices at `when`, with the long-context tier genai-prices lacks (if any) added."""
    from genai_prices.types import Tier, TieredPrices

    prices = info.get_prices(when, {"speed": "fast"} if fast else None)
    overrides = LONG_CONTEXT_OVERRIDES.get(info.id)
    if not overrides:
        return prices
    prices = copy(prices)
    for key, (base, above) in overrides.items():
        if getattr(prices, key) == Decimal(base):
            tier = TieredPrices(Decimal(base), [Tier(LONG_CONTEXT_THRESHOLD, Decimal(above))])
            object.__setattr__(prices, key, tier)
    return prices


def reference_cost(model: str, u: TokenUsage, when: datetime) -> float | None:
    """genai-prices' own answer (with `LONG_CONTEXT_OVERRIDES`), slow; for tests and for checking `Pricer`."""
    found = _lookup(model)
    if found is None:
        return None
    return float(_prices(found[1], when, u.fast).calc_price(genai_usage(u))["total_price"])


@lru_cache(maxsize=4096)
def _thresholds(model: str, day: str, fast: bool) -> tuple[int, ...]:
    """The prompt sizes above which `model`'s tiers start on `day`, ascending (empty: one flat price)."""
    from genai_prices.types import TieredPrices

    found = _lookup(model)
    if found is None:
        return ()
    prices = _prices(found[1], _noon(day), fast)
    starts = {t.start for v in vars(prices).values() if isinstance(v, TieredPrices) for t in v.tiers}
    return tuple(sorted(starts))


def _noon(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


@lru_cache(maxsize=4096)
def _rates(model: str, day: str, tier: int, fast: bool) -> Rates | None:
    """Per-token rates in tier `tier` (0: base; n: prompts above the n-th threshold), measured by probes."""
    when = _noon(day)
    thresholds = _thresholds(model, day, fast)
    base = {"input": thresholds[tier - 1] + 1 if tier else 0}
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
        tier = sum(1 for start in _thresholds(model, day, usage.fast) if prompt > start)
        rates = _rates(model, day, tier, usage.fast)
        if rates is None:
            self.unpriced.add(model)
            return None
        return rates.cost(usage)


WARM_MODEL = "claude-sonnet-4-5"


def warm(timestamp: float) -> None:
    """Load genai-prices and its price snapshot now, and price one common model on the day of `timestamp`: about
    0.8 s of imports and parsing on a small machine, otherwise paid by the first response priced (a live server's
    first new line after a restart whose catch-up found nothing new). Blocking: call it from a thread."""
    Pricer().cost(WARM_MODEL, TokenUsage(input=1), timestamp)


def rates_at(model: str, timestamp: float) -> Rates | None:
    """Per-token base-tier rates of `model` on the day of `timestamp` (standard speed); None when unpriced."""
    day = datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    return _rates(model, day, 0, False)
