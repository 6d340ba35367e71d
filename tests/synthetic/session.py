"""One whole transcript, turn by turn: header, prompts, model calls, compactions and the closing lines."""

from __future__ import annotations

from typing import Any

from synthetic import progress
from synthetic.constants import COMPACT_AT_TOKENS, P_API_ERROR, P_COMPACT, P_INTERRUPT, P_SHAPE_LINE, TOOL_NAMES
from synthetic.primitives import iso, new_uuid
from synthetic.responses import Responses


class Session(Responses):
    """Writes one transcript (a main session or a subagent) turn by turn until its byte budget is used."""

    def write_all(self) -> None:
        self.header()
        if self.is_agent:
            self.agent_body()
        else:
            self.turn()  # at least one, even when the header alone (a big attachment) is past the budget
            while self.file.bytes < self.spec.budget:
                self.turn()
        self.footer()

    def header(self) -> None:
        if self.hooks and not self.is_agent:
            progress.session_start_hook(self)
        if self.new_style and not self.is_agent:
            self.big_attachment()
        elif not self.is_agent and self.rng.random() < 0.3:
            for _ in range(self.rng.randint(1, 2)):
                # Titles point at a uuid of ANOTHER file, as real summary lines usually do.
                title = self.pool.text(self.rng.randint(20, 60)).replace("\n", " ")
                self.file.write({"type": "summary", "summary": title, "leafUuid": self.gen.last_uuid})

    def footer(self) -> None:
        if not self.new_style or self.is_agent:
            return
        if self.rng.random() < 0.5:
            title = self.pool.text(self.rng.randint(15, 50)).replace("\n", " ")
            self.file.write({"type": "custom-title", "customTitle": title, "sessionId": self.spec.session_id})
        self.cost_state()

    def cost_state(self) -> None:
        """The totals line written on exit: a summary that must not be added to the per-response counts."""
        self.file.write(
            {
                "type": "cost-state",
                "sessionId": self.spec.session_id,
                "totalCostUSD": round(self.rng.uniform(0.01, 40.0), 6),
                "totalDuration": self.clock - self.spec.start_ms,
                "modelUsage": self.model_usage,
                "hasUnknownModelCost": False,
            }
        )

    def agent_body(self) -> None:
        self.emit({"type": "user", "message": {"role": "user", "content": self.spec.agent_prompt}})
        self.copies.append((self.last_line, self.clock))
        while self.file.bytes < self.spec.budget:
            self.step(final=False)
        self.step(final=True)

    def turn(self) -> None:
        if self.rng.random() < 0.05:
            self.tick(600_000, 4 * 3_600_000)  # a break: long enough for the prompt cache to expire
        self.tick(5_000, 180_000)  # the user reads and types
        prompt_uuid = new_uuid(self.rng)
        self.snapshot(prompt_uuid)
        self.prompt()
        steps = 1 + min(12, int(self.rng.expovariate(1 / 2.5)))
        for index in range(steps):
            final = index == steps - 1 or self.file.bytes >= self.spec.budget
            self.step(final)
            if final:
                break
            if self.rng.random() < P_INTERRUPT:
                self.interrupt()
                break
        self.maybe_compact()
        if self.new_style:
            self.file.write({"type": "last-prompt", "lastPrompt": "", "sessionId": self.spec.session_id})

    def step(self, final: bool) -> None:
        """One model call: optional retries, the response's block lines, then the tool results."""
        if self.rng.random() < P_API_ERROR and self.api_errors():
            return
        if self.new_style and self.rng.random() < P_SHAPE_LINE:
            self.shape_line()
        for tool_use in self.assistant_response(final):
            self.tool_result(tool_use)

    # -- user-side lines -----------------------------------------------------------------------------------

    def snapshot(self, message_id: str) -> None:
        backups = {
            path.removeprefix(self.spec.cwd + "/"): {
                "backupFileName": f"{self.rng.getrandbits(64):016x}@v{n + 1}",
                "version": n + 1,
                "backupTime": iso(self.clock),
            }
            for n, path in enumerate(self.edited[-4:])
        }
        snapshot = {"messageId": message_id, "trackedFileBackups": backups, "timestamp": iso(self.clock)}
        self.file.write(
            {"type": "file-history-snapshot", "messageId": message_id, "snapshot": snapshot, "isSnapshotUpdate": False}
        )

    def prompt(self) -> None:
        rng = self.rng
        if rng.random() < 0.1:
            text = self.pool.text(rng.randint(5_000, 25_000))  # a pasted log or file
        else:
            text = self.pool.text(self.log_size(300, 1.0, 10, 20_000))
        if self.new_style:
            self.file.write(
                {
                    "type": "queue-operation",
                    "operation": "enqueue",
                    "timestamp": iso(self.clock),
                    "sessionId": self.spec.session_id,
                    "content": text[:120],
                }
            )
        content: Any = text if rng.random() < 0.85 else [{"type": "text", "text": text}]
        self.emit({"type": "user", "message": {"role": "user", "content": content}})
        self.pending_tokens += len(text) // 4
        self.gen.write_history(text, self.clock, self.spec)

    def interrupt(self) -> None:
        content = [{"type": "text", "text": "[Request interrupted by user]"}]
        self.emit({"type": "user", "message": {"role": "user", "content": content}})

    def maybe_compact(self) -> None:
        # A long session (one of the large files) is compacted at least once, half-way through.
        halfway = self.spec.long and not self.compacted and self.file.bytes * 2 >= self.spec.budget
        if self.cached_tokens < COMPACT_AT_TOKENS and not halfway and self.rng.random() >= P_COMPACT:
            return
        self.compacted = True
        trigger = "auto" if self.cached_tokens >= COMPACT_AT_TOKENS else "manual"
        meta = {"trigger": trigger, "preTokens": self.cached_tokens}
        self.emit(
            {
                "type": "system",
                "subtype": "compact_boundary",
                "content": "Conversation compacted",
                "isMeta": False,
                "level": "info",
                "compactMetadata": meta,
                "timestamp": self.tick(2_000, 30_000),
            }
        )
        summary = "This session is being continued from a previous conversation that ran out of context.\n"
        summary += self.pool.text(self.rng.randint(2_000, 8_000))
        self.emit({"type": "user", "message": {"role": "user", "content": summary}, "isCompactSummary": True})
        self.cached_tokens = 0
        self.pending_tokens = self.rng.randint(15_000, 30_000)

    # -- large lines to skip -------------------------------------------------------------------------------

    def big_attachment(self) -> None:
        """A system-prompt snapshot: the payload comes BEFORE "type", so a reader cannot stop at the type."""
        payload = {"type": "prompt_snapshot", "systemPrompt": [self.pool.text(self.rng.randint(20_000, 100_000))]}
        self.emit({"attachment": payload, "type": "attachment"})
        self.gen.stats.big_lines += 1

    def shape_line(self) -> None:
        shape = {
            "system": [{"type": "text", "text": self.pool.text(self.rng.randint(20_000, 100_000))}],
            "tools": [{"name": name} for name in TOOL_NAMES],
        }
        self.file.write(
            {
                "type": "api-request-shape",
                "sessionId": self.spec.session_id,
                "shapeHash": f"{self.rng.getrandbits(256):064x}",
                "timestamp": iso(self.clock),
                "version": self.spec.version,
                "shape": shape,
            }
        )
        self.gen.stats.big_lines += 1
