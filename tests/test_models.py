"""The one token-and-cost accumulator (`models.Totals`): what reports sum from SQL, and what runs sum from the
CLI's figures (a task's attempts, a run's tasks), with one rule for unpriced and one rounding."""

from __future__ import annotations

import orjson

from ccdeck.models import TokenUsage, Totals, usd


def test_a_cost_is_rounded_to_the_micro_dollar_at_the_json_edge_only() -> None:
    totals = Totals()
    for _ in range(3):
        totals.add(1, 0, 0, 0, 0.1)
    assert totals.cost == 0.1 + 0.1 + 0.1 != 0.3
    assert totals.as_json()["costUSD"] == usd(totals.cost) == 0.3
    # A figure recorded as it was given (the CLI's cost of a task) is shown to its last digit.
    assert totals.as_json(rounded=False)["costUSD"] == 0.1 + 0.1 + 0.1
    assert usd(None) is None


def test_usage_adds_its_four_counts() -> None:
    totals = Totals(cost=None)
    totals.add_usage(TokenUsage(1, 2, 30, 4, cache_5m=10, cache_1h=20, web_search=3), None)
    assert totals.fields() == {"inputTokens": 1, "outputTokens": 2, "cacheCreationTokens": 30,
                               "cacheReadTokens": 4, "totalTokens": 37}  # fmt: skip
    assert totals.cost is None and totals.unpriced_models == set()  # unknown, not unpriced: no model named


def test_recorded_json_sums_back_to_what_it_said() -> None:
    """A task's `model_usage` summed per model and over models: the same fields, its recorded total kept."""
    recorded = [
        {"inputTokens": 5, "outputTokens": 7, "cacheCreationTokens": 11, "cacheReadTokens": 13, "totalTokens": 36,
         "costUSD": 0.0123456789},
        {"totalTokens": 4321, "costUSD": None},  # a total only: it still counts
        {"inputTokens": 1, "totalTokens": 1, "costUSD": 0.5},
    ]  # fmt: skip
    totals = Totals()
    for fields in recorded:
        totals.add_json(orjson.loads(orjson.dumps(fields)))
    expected = {"inputTokens": 6, "outputTokens": 7, "cacheCreationTokens": 11, "cacheReadTokens": 13,
                "totalTokens": 36 + 4321 + 1, "costUSD": None}  # fmt: skip
    assert totals.as_json(rounded=False) == expected
    one = Totals()
    one.add_json(recorded[0])
    assert one.as_json(rounded=False) == recorded[0]
    merged = Totals()
    merged.merge(totals)
    assert merged.total == totals.total == 4358


def test_an_absent_cost_is_unknown() -> None:
    totals = Totals()
    totals.add_json({"inputTokens": 1})
    assert totals.cost is None
