"""What a task's stdout says (stream-json events, one per line) and the state it ends in. Pure: no I/O.

`StreamState.feed` follows a running task: turns, tokens, an estimate of the cost so far, the last tool, files
written, permission denials. The final `result` line replaces the estimates with the CLI's own figures.
`classify` turns the result line (or its absence), the exit code and why we stopped the task into one state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ccdeck.claude.message import BadMessage, is_error_stand_in, split_usage, token_count, tool_call, usage_tokens
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.tools import tool_summary
from ccdeck.models import SYNTHETIC_MODEL, TokenUsage, Totals, sum_costs

# A task's API errors worth another attempt: rate limited (429) and overloaded (529).
RETRYABLE_STATUSES = frozenset({429, 529})
TIMEOUT = "timeout"
TOOL_SUMMARY_CHARS = 80
LOG_TOOL_CHARS = 2000
Json = dict[str, Any]


@dataclass
class StreamState:
    """Everything one attempt's stdout has said so far."""

    session_id: str | None = None
    model: str | None = None
    last_tool: str | None = None
    result: Json | None = None
    files_changed: list[str] = field(default_factory=list)
    denials: list[Json] = field(default_factory=list)
    api_retries: list[int | None] = field(default_factory=list)
    _messages: dict[str, tuple[str, TokenUsage]] = field(default_factory=dict)
    _pending_paths: dict[str, str] = field(default_factory=dict)

    def feed(self, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        if kind == "assistant":
            self._assistant(event)
        elif kind == "user":
            self._user(event)
        elif kind == "result":
            self.result = dict(event)
            denials = event.get("permission_denials")
            if isinstance(denials, list):
                self.denials = [d for d in denials if isinstance(d, dict)]
        elif kind == "system":
            self._system(event)

    def _system(self, event: Mapping[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype == "init":
            self.session_id = _str(event.get("session_id")) or self.session_id
            self.model = _str(event.get("model")) or self.model
        elif subtype == "api_retry":
            status = event.get("error_status")
            self.api_retries.append(status if isinstance(status, int) else None)

    def _assistant(self, event: Mapping[str, Any]) -> None:
        message = event.get("message")
        if not isinstance(message, dict):
            return
        self._usage(event, message)
        for block in message.get("content") or ():
            if isinstance(block, dict) and block.get("type") == "tool_use":
                self._tool_use(block)

    def _usage(self, event: Mapping[str, Any], message: dict[str, Any]) -> None:
        msg_id, usage = _str(message.get("id")), message.get("usage")
        model = message.get("model")
        if not msg_id or not isinstance(usage, dict) or is_error_stand_in(event.get("isApiErrorMessage"), model):
            return  # an error stand-in: no model, no call
        try:
            tokens = usage_tokens(usage)
        except BadMessage:
            return  # impossible counts: no usage, as a transcript line holding them is none
        # One line per content block, each with a copy of usage: keep the copy with the most output.
        held = self._messages.get(msg_id)
        if held is None or tokens.output >= held[1].output:
            self._messages[msg_id] = (_str(model) or self.model or "unknown", tokens)

    def _tool_use(self, block: Mapping[str, Any]) -> None:
        call = tool_call(block)
        self.last_tool = tool_summary(call.name, call.input, TOOL_SUMMARY_CHARS)
        tool_id = _str(block.get("id"))
        if call.path and tool_id:
            self._pending_paths[tool_id] = call.path

    def _user(self, event: Mapping[str, Any]) -> None:
        message = event.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else ():
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            path = self._pending_paths.pop(_str(block.get("tool_use_id")) or "", None)
            # Only a write the tool reports as done changed a file (a denied or failed one did not).
            if path and not block.get("is_error") and path not in self.files_changed:
                self.files_changed.append(path)

    @property
    def turns(self) -> int:
        if self.result is not None and isinstance(self.result.get("num_turns"), int):
            return int(self.result["num_turns"])
        return len(self._messages)

    def tokens_by_model(self) -> dict[str, Totals]:
        """The CLI's per-model totals once the result is in; until then, the usage the stream has shown (whose
        cost is None: the CLI's figure is not known yet)."""
        usage = self.result.get("modelUsage") if self.result else None
        if isinstance(usage, dict) and usage:
            found = {str(model): _model_usage(u) for model, u in usage.items() if model != SYNTHETIC_MODEL}
            return {model: tokens for model, tokens in found.items() if tokens is not None}
        by_model: dict[str, Totals] = {}
        for model, tokens in self._messages.values():
            by_model.setdefault(model, Totals(cost=None)).add_usage(tokens, None)
        return by_model

    def cost(self, pricer: Pricer, now: float) -> tuple[float | None, bool]:
        """(cost in USD, whether it is an estimate). The CLI's `total_cost_usd` once known; before, or when the
        task ended without a result, each response the stream showed priced at list prices as the transcripts'
        are (its cache split, web searches, fast mode, long-context tier), None when a model is unpriced."""
        if self.result is not None and isinstance(self.result.get("total_cost_usd"), int | float):
            return float(self.result["total_cost_usd"]), False
        return sum_costs(pricer.cost(model, tokens, now) for model, tokens in self._messages.values()), True


def _model_usage(u: object) -> Totals | None:
    """One model's entry of the result's `modelUsage`, None when it is no object or holds an impossible count."""
    if not isinstance(u, dict):
        return None
    try:
        counts = split_usage(token_count(u, "inputTokens"), token_count(u, "outputTokens"),
                             token_count(u, "cacheCreationInputTokens"), token_count(u, "cacheReadInputTokens"),
                             0, 0, False)  # fmt: skip
    except BadMessage:
        return None
    cost = u.get("costUSD")
    cost = cost if isinstance(cost, int | float) and not isinstance(cost, bool) else None
    return Totals(counts.input, counts.output, counts.cache_creation, counts.cache_read, cost)


@dataclass(frozen=True)
class Outcome:
    """The state a finished attempt ends in, and why."""

    status: str
    error: str | None = None
    retryable: bool = False


def classify(
    result: Mapping[str, Any] | None, exit_code: int | None, stop_reason: str | None, stderr_tail: str = ""
) -> Outcome:
    """The result line decides before the exit code. `stop_reason` is set only when ccdeck signalled the task
    before its result line arrived: `TIMEOUT`, or why it was stopped ("stopped on request", …)."""
    if stop_reason == TIMEOUT:
        return Outcome("timed_out", "timed out")
    if stop_reason is not None:
        return Outcome("stopped", stop_reason)
    if result is None:
        return Outcome("failed", _no_result(exit_code, stderr_tail))
    subtype, reason = result.get("subtype"), result.get("terminal_reason")
    errors = "; ".join(str(e) for e in result.get("errors") or [] if e) or None
    if subtype == "error_max_turns" or reason == "max_turns":
        return Outcome("max_turns", errors or "reached the maximum number of turns")
    if subtype == "error_max_budget_usd" or reason == "budget_exhausted":
        return Outcome("budget_exceeded", errors or "reached the budget")
    status = result.get("api_error_status")
    if result.get("is_error"):
        text = _str(result.get("result")) or errors or (f"API error {status}" if status else subtype)
        return Outcome("failed", str(text), isinstance(status, int) and status in RETRYABLE_STATUSES)
    if subtype == "success":
        return Outcome("succeeded")
    return Outcome("failed", errors or f"ended with {subtype}")


def _no_result(exit_code: int | None, stderr_tail: str) -> str:
    if exit_code is None:
        why = "ended without a result"
    elif exit_code < 0:
        why = f"killed by signal {-exit_code} without a result"
    else:
        why = f"exited with code {exit_code} without a result"
    return f"{why}: {stderr_tail}" if stderr_tail else why


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def describe(event: Mapping[str, Any]) -> list[str]:
    """One stream event as readable lines for `ccdeck logs` (none for the noise)."""
    kind, subtype = event.get("type"), event.get("subtype")
    if kind == "system" and subtype == "init":
        return [f"session {event.get('session_id')} in {event.get('cwd')} ({event.get('model')}, "
                f"{event.get('permissionMode')}, Claude Code {event.get('claude_code_version', '?')})"]  # fmt: skip
    if kind == "system" and subtype == "api_retry":
        return [f"API error {event.get('error_status') or '(connection)'}: retry {event.get('attempt')}"]
    if kind == "system" and subtype == "permission_denied":
        return [f"permission denied: {event.get('tool_name')}"]
    message = event.get("message")
    blocks = message.get("content") if isinstance(message, dict) else None
    if kind in ("assistant", "user"):
        return [line for block in (blocks if isinstance(blocks, list) else []) for line in _block(kind, block)]
    if kind == "result":
        cost = event.get("total_cost_usd")
        head = f"result: {event.get('subtype')}{' (error)' if event.get('is_error') else ''}, "
        head += f"{event.get('num_turns')} turn(s), ${cost:.4f}" if isinstance(cost, int | float) else "no cost"
        text = _str(event.get("result")) or "; ".join(str(e) for e in event.get("errors") or [])
        return [head, *([text] if text else [])]
    return []


def _block(kind: str, block: object) -> list[str]:
    if not isinstance(block, dict):
        return [f"{kind}: {block}"] if isinstance(block, str) else []
    if block.get("type") == "text" and _str(block.get("text")):
        return [f"{kind}: {block['text']}"]
    if block.get("type") == "tool_use":
        call = tool_call(block)
        return [f"tool: {tool_summary(call.name, call.input, LOG_TOOL_CHARS)}"]
    if block.get("type") == "tool_result":
        content = block.get("content")
        if isinstance(content, list):
            content = " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
        first = (str(content or "").strip().splitlines() or [""])[0]
        return [f"tool {'error' if block.get('is_error') else 'result'}: {first[:200]}"]
    return []
