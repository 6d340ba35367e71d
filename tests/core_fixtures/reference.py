"""Figures of the reference corpus in ../shared (read in place, through shared_data), and token totals computed
independently of ccdeck.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from core_fixtures.lines import Json
from shared_data import require_shared


def sources_table() -> dict[str, dict[str, float]]:
    """The 'Reference figures' table of SOURCES.md: folder -> {sessions, input, output, cacheWrite, cacheRead, cost}.

    Skips the calling test when ../shared is absent."""
    text = require_shared("corpus", "SOURCES.md").read_text()
    section = text.split("## Reference figures", 1)[1]
    rows: dict[str, dict[str, float]] = {}
    header: list[str] | None = None
    for line in section.splitlines():
        if not line.startswith("|"):
            if header is not None and rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set(cells[0]) <= {"-", ":"}:
            continue
        values = dict(zip(header, cells, strict=True))
        rows[values["folder"]] = {
            "sessions": int(values["sessions"].replace(",", "")),
            "inputTokens": int(values["input"].replace(",", "")),
            "outputTokens": int(values["output"].replace(",", "")),
            "cacheCreationTokens": int(values["cache write"].replace(",", "")),
            "cacheReadTokens": int(values["cache read"].replace(",", "")),
            "costUSD": float(values["cost usd"].replace(",", "")),
        }
    return rows


def _weight(u: Json) -> tuple[int, int]:
    fields = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    return u.get("output_tokens") or 0, sum(u.get(f) or 0 for f in fields)


def dedup_usage(config: Path) -> dict[str, int]:
    """Token totals computed independently of ccdeck: every response once by (message.id, requestId), keeping the
    copy with the most output tokens, then the most input + cache tokens; `<synthetic>` and API-error lines
    skipped."""
    best: dict[str, Json] = {}
    for path in sorted((config / "projects").rglob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(obj, dict) or obj.get("type") != "assistant" or obj.get("isApiErrorMessage"):
                continue
            message = obj.get("message") or {}
            u = message.get("usage")
            if not isinstance(u, dict) or message.get("model") == "<synthetic>":
                continue
            key = f"{message.get('id')}:{obj.get('requestId')}" if message.get("id") else f"uuid:{obj.get('uuid')}"
            held = best.get(key)
            if held is None or _weight(u) > _weight(held):
                best[key] = u
    return {
        "responses": len(best),
        "inputTokens": sum(u.get("input_tokens") or 0 for u in best.values()),
        "outputTokens": sum(u.get("output_tokens") or 0 for u in best.values()),
        "cacheCreationTokens": sum(u.get("cache_creation_input_tokens") or 0 for u in best.values()),
        "cacheReadTokens": sum(u.get("cache_read_input_tokens") or 0 for u in best.values()),
    }
