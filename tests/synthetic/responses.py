"""Model calls of a transcript: failed calls and their retries, and each response with its usage."""

from __future__ import annotations

from synthetic.constants import MAIN_MODEL_WEIGHTS, MAIN_MODELS, MAX_AGENT_COPIES, P_SYNTHETIC_AFTER_ERRORS, JsonObj
from synthetic.primitives import new_token, new_uuid
from synthetic.tools import Tools


class Responses(Tools):
    """A model call: retries of a failed one, or a response written as one line per content block."""

    def api_errors(self) -> bool:
        """Retries of a failed call; returns True when the call finally failed (a <synthetic> message)."""
        retries = self.rng.randint(1, 4)
        for attempt in range(1, retries + 1):
            delay = int(500 * 2 ** (attempt - 1) * self.rng.uniform(0.8, 1.2))
            error = {"status": self.rng.choice((429, 500, 529)), "requestId": new_token(self.rng, "req_011C")}
            self.emit(
                {
                    "type": "system",
                    "subtype": "api_error",
                    "level": "error",
                    "error": error,
                    "retryInMs": delay,
                    "retryAttempt": attempt,
                    "maxRetries": 10,
                    "timestamp": self.tick(delay, delay + 500),
                }
            )
        if self.rng.random() >= P_SYNTHETIC_AFTER_ERRORS:
            return False
        self.synthetic_message()
        return True

    def synthetic_message(self) -> None:
        usage = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        message = {
            "id": new_uuid(self.rng),
            "model": "<synthetic>",
            "role": "assistant",
            "type": "message",
            "content": [{"type": "text", "text": "API Error: 529 Overloaded"}],
            "stop_reason": "stop_sequence",
            "usage": usage,
        }
        self.emit({"type": "assistant", "message": message, "isApiErrorMessage": True})
        self.gen.totals.synthetic_messages += 1

    # -- assistant responses ---------------------------------------------------------------------------------

    def usage(self, output_tokens: int) -> JsonObj:
        """Usage of one call; the prompt cache expires when the user was away longer than its TTL."""
        rng = self.rng
        ttl_ms = 3_600_000 if self.spec.cache_mode == "1h" else 300_000
        if self.last_call_ms and self.clock - self.last_call_ms > ttl_ms:
            self.pending_tokens += self.cached_tokens
            self.cached_tokens = 0
        creation = self.pending_tokens + rng.randint(0, 400)
        five, hour = self.split_creation(creation)
        usage = {
            "input_tokens": rng.randint(1, 12) if rng.random() < 0.95 else rng.randint(100, 5_000),
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": self.cached_tokens,
            "cache_creation": {"ephemeral_5m_input_tokens": five, "ephemeral_1h_input_tokens": hour},
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }
        if self.new_style:
            searches = 1 if rng.random() < 0.01 else 0
            usage["server_tool_use"] = {"web_search_requests": searches, "web_fetch_requests": 0}
        self.cached_tokens += creation
        self.pending_tokens = output_tokens
        self.last_call_ms = self.clock
        return usage

    def split_creation(self, creation: int) -> tuple[int, int]:
        if self.spec.cache_mode == "5m":
            return creation, 0
        if self.spec.cache_mode == "1h":
            return 0, creation
        hour = int(creation * self.rng.uniform(0.3, 0.9))
        return creation - hour, hour

    def content_blocks(self, final: bool) -> list[JsonObj]:
        rng = self.rng
        blocks: list[JsonObj] = []
        if rng.random() < 0.3:
            signature = self.pool.text(rng.randint(200, 1_200)).replace("\n", "")
            thinking = self.pool.text(self.log_size(800, 0.8, 50, 8_000))
            blocks.append({"type": "thinking", "thinking": thinking, "signature": signature})
        if final or rng.random() < 0.7:
            blocks.append({"type": "text", "text": self.pool.text(self.log_size(400, 1.0, 5, 12_000))})
        if not final:
            blocks.extend(self.tool_use() for _ in range(rng.choices((1, 2, 3), (75, 18, 7))[0]))
        return blocks

    def assistant_response(self, final: bool) -> list[JsonObj]:
        """One response written as one line per content block, each with a copy of usage."""
        rng = self.rng
        if rng.random() < 0.02 and not self.is_agent:
            self.model = rng.choices(MAIN_MODELS, MAIN_MODEL_WEIGHTS)[0]  # a /model switch
        self.tick(1_500, 12_000)
        blocks = self.content_blocks(final)
        output = self.log_size(150, 1.1, 1, 32_000) + sum(len(b.get("thinking", "")) // 4 for b in blocks)
        usage = self.usage(output)
        message_id = new_token(rng, "msg_01")
        request_id = new_token(rng, "req_011C")
        first_output = output
        for index, block in enumerate(blocks):
            last = index == len(blocks) - 1
            line_usage = dict(usage)
            if not last:
                # Earlier copies carry the streaming start value, not the final count.
                line_usage["output_tokens"] = min(output, rng.randint(1, 30))
            if index == 0:
                first_output = line_usage["output_tokens"]
            stop = ("tool_use" if block["type"] == "tool_use" else "end_turn") if last else None
            message = {
                "model": self.model,
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "content": [block],
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": line_usage,
            }
            self.emit({"type": "assistant", "message": message, "requestId": request_id})
            self.tick(20, 2_500)
        self.gen.totals.add(self.model, usage, first_output)
        if self.is_agent:
            self.gen.subagent_totals.add(self.model, usage, first_output)
            if len(self.copies) < MAX_AGENT_COPIES:
                self.copies.append((self.last_line, self.clock))
        self.count_model_usage(usage)
        return [block for block in blocks if block["type"] == "tool_use"]

    def count_model_usage(self, usage: JsonObj) -> None:
        row = self.model_usage.setdefault(
            self.model,
            {"inputTokens": 0, "outputTokens": 0, "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0},
        )
        row["inputTokens"] += usage["input_tokens"]
        row["outputTokens"] += usage["output_tokens"]
        row["cacheReadInputTokens"] += usage["cache_read_input_tokens"]
        row["cacheCreationInputTokens"] += usage["cache_creation_input_tokens"]
