"""Named read queries of token usage over time (`responses`), as portable SQL text run through a `Reader`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccdeck.store.reader import Reader

# Usage grouped by model or by project: the key's SQL over `responses r`, and the join it needs.
GROUP_KEYS = {
    "model": ("r.model", ""),
    "project": ("COALESCE(s.project_path, '')", "LEFT JOIN sessions s ON s.session_id = r.session_id"),
}
RESPONSE_COLUMNS = (
    "r.ts, r.model, r.input_tokens, r.output_tokens, r.cache_creation_tokens, r.cache_read_tokens, r.cost_usd"
)


@dataclass(frozen=True)
class Range:
    """A time range in epoch seconds (`since` inclusive, `until` exclusive) and a project path substring."""

    since: float | None = None
    until: float | None = None
    project: str | None = None


def like_pattern(text_: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching `text_` anywhere, its % and _ taken literally."""
    return "%" + text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def range_clause(span: Range, alias: str = "r", column: str = "ts") -> tuple[str, dict[str, Any]]:
    """SQL conditions (each starting with AND) and parameters for a range over `alias.column` and a project."""
    sql, params = "", dict[str, Any]()
    if span.since is not None:
        sql += f" AND {alias}.{column} >= :since"
        params["since"] = span.since
    if span.until is not None:
        sql += f" AND {alias}.{column} < :until"
        params["until"] = span.until
    if span.project:
        sql += (
            f" AND {alias}.session_id IN (SELECT session_id FROM sessions WHERE project_path LIKE :project ESCAPE '\\')"
        )
        params["project"] = like_pattern(span.project)
    return sql, params


def slot_sums(reader: Reader, span: Range, slot_seconds: int, group: str = "model") -> Sequence[Any]:
    """Sums per time slot and group key (a model, or a project path): `slot, k, input, output, cache creation,
    cache read, SUM(cost_usd), responses without a price`."""
    where, params = range_clause(span)
    key, join = GROUP_KEYS[group]
    # The slot's number rounds down: SQLite's CAST truncates, PostgreSQL's rounds to the nearest (FLOOR first).
    slot = f"r.ts / {int(slot_seconds)}"
    if reader.dialect == "postgresql":
        slot = f"FLOOR({slot})"
    return reader.rows(
        f"""SELECT CAST({slot} AS BIGINT) AS slot, {key} AS k, SUM(r.input_tokens),
                   SUM(r.output_tokens), SUM(r.cache_creation_tokens), SUM(r.cache_read_tokens),
                   SUM(r.cost_usd), COUNT(*) - COUNT(r.cost_usd)
            FROM responses r {join} WHERE 1 = 1 {where} GROUP BY slot, k""",
        params,
    )


def responses_in_order(reader: Reader, span: Range) -> Sequence[Any]:
    """Every response in the range, oldest first: RESPONSE_COLUMNS."""
    where, params = range_clause(span)
    return reader.rows(f"SELECT {RESPONSE_COLUMNS} FROM responses r WHERE 1 = 1 {where} ORDER BY r.ts", params)


def responses_between(reader: Reader, start: float, end: float) -> Sequence[Any]:
    """The responses from `start` to `end` (both included), oldest first: RESPONSE_COLUMNS."""
    return reader.rows(
        f"SELECT {RESPONSE_COLUMNS} FROM responses r WHERE r.ts >= :start AND r.ts <= :now ORDER BY r.ts",
        {"start": start, "now": end},
    )


def usage_by_model(reader: Reader) -> Sequence[Any]:
    """Every response's sums per model, of all time: `model, input, output, cache creation, cache read,
    SUM(cost_usd)` (`/metrics`)."""
    return reader.rows(
        """SELECT model, SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_read_tokens),
                  SUM(cost_usd) FROM responses GROUP BY model"""
    )


# The overview (`/api/summary`, `/metrics`) -------------------------------------------------------------------------


def totals_between(reader: Reader, since: float, until: float | None = None) -> Any:
    """`input, output, cache creation, cache read, SUM(cost_usd), responses without a price` of the responses from
    `since` (and before `until`); token sums are 0 when there are none."""
    sql = """SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
                    COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0),
                    SUM(cost_usd), COUNT(*) - COUNT(cost_usd)
             FROM responses WHERE ts >= :since"""
    params: dict[str, float] = {"since": since}
    if until is not None:
        sql += " AND ts < :until"
        params["until"] = until
    return reader.rows(sql, params)[0]


def totals_by_key_since(reader: Reader, since: float, group: str) -> Sequence[Any]:
    """Sums per model or per project path (`group`) of the responses since `since`: `k, i, o, cc, cr, cost,
    unpriced` (the same keys as `/api/usage`; a response of an unknown session has the project "")."""
    key, join = GROUP_KEYS[group]
    return reader.records(
        f"""SELECT {key} AS k, SUM(r.input_tokens) AS i, SUM(r.output_tokens) AS o,
                   SUM(r.cache_creation_tokens) AS cc, SUM(r.cache_read_tokens) AS cr, SUM(r.cost_usd) AS cost,
                   COUNT(*) - COUNT(r.cost_usd) AS unpriced
            FROM responses r {join} WHERE r.ts >= :since GROUP BY k""",
        {"since": since},
    )


def latest_rate_limits(reader: Reader) -> Any:
    """The newest status-line record that carries a rate limit (Claude Code sends them to subscribers only);
    None when none does."""
    found = reader.records(
        """SELECT session_id, updated_at, five_hour_used_pct, five_hour_resets_at, seven_day_used_pct,
                  seven_day_resets_at FROM statusline
           WHERE five_hour_used_pct IS NOT NULL OR seven_day_used_pct IS NOT NULL
           ORDER BY updated_at DESC LIMIT 1"""
    )
    return found[0] if found else None


def statusline_updated(reader: Reader) -> float | None:
    """When `ccdeck statusline` last recorded anything (the index makes this cheap enough to poll)."""
    value = reader.rows("SELECT MAX(updated_at) FROM statusline")[0][0]
    return None if value is None else float(value)
