"""Token totals of a report (ccdeck's or ccusage's) checked against the generator's expected totals."""

from __future__ import annotations

from typing import Any

from bench.measure import Measurement

JsonObj = dict[str, Any]

TOKEN_KEYS = {  # the name in `totals`: the names a row may use (ccusage's blocks nest them in tokenCounts)
    "inputTokens": ("inputTokens",),
    "outputTokens": ("outputTokens",),
    "cacheCreationTokens": ("cacheCreationTokens", "cacheCreationInputTokens"),
    "cacheReadTokens": ("cacheReadTokens", "cacheReadInputTokens"),
}


def expected_with(expected: JsonObj, usage: JsonObj | None) -> JsonObj:
    """The generator's expected totals plus one extra response's usage (the appended line)."""
    if usage is None:
        return expected
    keys = {
        "input_tokens": "input_tokens",
        "output_tokens": "output_tokens",
        "cache_creation_tokens": "cache_creation_input_tokens",
        "cache_read_tokens": "cache_read_input_tokens",
    }
    return {**expected, **{ours: expected[ours] + usage[theirs] for ours, theirs in keys.items()}}


def totals_check(payload: Any, expected: JsonObj) -> str:
    """Compare a report's token totals with the generator's (each response once, with its largest output).

    ccusage and ccdeck both print ``totals`` with camelCase token keys.
    """
    totals = payload.get("totals") if isinstance(payload, dict) else None
    if not isinstance(totals, dict):
        return "no totals in the output"
    pairs = {
        "input": ("inputTokens", "input_tokens"),
        "output": ("outputTokens", "output_tokens"),
        "cache write": ("cacheCreationTokens", "cache_creation_tokens"),
        "cache read": ("cacheReadTokens", "cache_read_tokens"),
    }
    diffs = [
        f"{label} {totals.get(theirs)} vs {expected[ours]}"
        for label, (theirs, ours) in pairs.items()
        if totals.get(theirs) != expected[ours]
    ]
    if not diffs:
        return "token totals equal the generator's expected totals"
    if totals.get("outputTokens") == expected["output_tokens_first_copy"]:
        diffs.append("(output equals the FIRST copy of each response)")
    return "token totals differ from the generator's: " + ", ".join(diffs)


def report_totals(payload: Any) -> JsonObj | None:
    """A report's token totals: its ``totals``, else the sum of its rows (ccusage's blocks, ccdeck's sessions)."""
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("totals"), dict):
        totals: JsonObj = payload["totals"]
        return totals
    rows = next((value for value in payload.values() if isinstance(value, list)), None)
    if rows is None:
        return None
    sums = dict.fromkeys(TOKEN_KEYS, 0)
    for row in rows:
        counts = row.get("tokenCounts", row)
        for key, names in TOKEN_KEYS.items():
            sums[key] += next((counts[name] for name in names if name in counts), 0)
    return sums


def check_totals(result_payload: Any, expected: JsonObj) -> str:
    """totals_check on any report, its rows summed when it prints no totals."""
    return totals_check({"totals": report_totals(result_payload)}, expected)


def tokens_of(m: Measurement) -> tuple[Any, ...] | None:
    totals = report_totals(m.runs[-1].json()) if m.ok else None
    return None if totals is None else tuple(totals.get(key) for key in TOKEN_KEYS)
