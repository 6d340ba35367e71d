"""A realistic config dir of any size, written line by line, with the totals a correct ingester must report."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core_fixtures.database import TOKEN_FIELDS
from core_fixtures.lines import (
    HAIKU_45,
    OPUS_4,
    SONNET_4,
    SONNET_45,
    Json,
    assistant,
    encode_cwd,
    new_uuid,
    tool_result,
    tool_use,
    usage,
    user_prompt,
    write_jsonl,
)

_WORDS = (
    "the", "parser", "reads", "each", "line", "and", "keeps", "copy", "with", "largest", "output", "so", "a",
    "response", "counts", "once", "while", "store", "commits", "rows", "their", "cursor", "in", "one",
    "transaction", "which", "makes", "crash", "harmless", "rescan", "cheap",
)  # fmt: skip


_TEXT = " ".join(random.Random(0).choice(_WORDS) for _ in range(40_000))


def _prose(rng: random.Random, n_words: int) -> str:
    """About `n_words` words of text (a slice of a fixed random text: cheap to make megabytes of)."""
    length = min(n_words * 6, len(_TEXT) - 1)
    start = rng.randrange(len(_TEXT) - length)
    return _TEXT[start : start + length]


@dataclass
class BigCorpus:
    """What `write_big_config` wrote: expected totals with each response counted once at its largest output."""

    files: int = 0
    bytes: int = 0
    sessions: set[str] = field(default_factory=set)
    responses: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def add(self, key: str, u: Json) -> None:
        held = self.responses.get(key)
        out = u["output_tokens"]
        if held is None or out > held[1]:
            self.responses[key] = (
                u["input_tokens"],
                out,
                u["cache_creation_input_tokens"],
                u["cache_read_input_tokens"],
            )

    def totals(self) -> dict[str, int]:
        sums = [sum(r[i] for r in self.responses.values()) for i in range(4)]
        return {"responses": len(self.responses), **dict(zip(TOKEN_FIELDS, sums, strict=True))}


def write_big_config(root: Path, target_bytes: int, seed: int = 7) -> BigCorpus:
    """A realistic config dir of about `target_bytes`: sessions in several projects, responses written one line per
    content block with partial output on the earlier copies, tool results with big `toolUseResult`s, Task results
    carrying a `usage` summary (not to be counted), subagent files (flat and `subagents/` layouts), resumed sessions
    that copy earlier responses, and a few unknown line types."""
    rng = random.Random(seed)
    info = BigCorpus()
    start = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    projects = [f"/home/dev/src/project-{i}" for i in range(6)]
    previous: list[Json] = []
    n = 0
    while info.bytes < target_bytes:
        n += 1
        cwd = rng.choice(projects)
        session = new_uuid(rng)
        info.sessions.add(session)
        when = start + timedelta(hours=7 * n + rng.random())
        lines: list[Json] = []
        if previous and rng.random() < 0.2:
            lines.extend({**line, "sessionId": session} for line in previous[:6])  # a resumed session
        lines.append(user_prompt(session, when, _prose(rng, rng.randint(20, 300)), uid=new_uuid(rng), cwd=cwd))
        agent_lines: dict[str, list[Json]] = {}
        for turn in range(rng.randint(50, 90)):
            when += timedelta(seconds=rng.randint(2, 90))
            msg_id = f"msg_{rng.getrandbits(80):020x}"
            req_id = f"req_{rng.getrandbits(80):020x}"
            full = usage(
                rng.randint(1, 30),
                rng.randint(50, 4000),
                rng.choice((0, 0, rng.randint(100, 30_000))),
                rng.randint(10_000, 150_000),
            )
            tool_id = f"toolu_{rng.getrandbits(80):020x}"
            model = rng.choice((SONNET_4, OPUS_4, SONNET_45))
            name = rng.choices(("Edit", "Write", "Read", "Bash", "Grep", "Task"), (4, 2, 6, 4, 3, 1))[0]
            tool_input: Json = {
                "file_path": f"{cwd}/src/mod{rng.randint(1, 40)}.py",
                "old_string": "a",
                "new_string": "b",
            }
            if name == "Bash":
                tool_input = {"command": "pytest -q", "description": "Run the tests"}
            elif name == "Task":
                tool_input = {"description": "Explore", "prompt": _prose(rng, 30), "subagent_type": "Explore"}
            blocks = [
                {"type": "thinking", "thinking": _prose(rng, rng.randint(20, 200)), "signature": "x" * 200},
                {"type": "text", "text": _prose(rng, rng.randint(10, 150))},
                tool_use(name, tool_input, tool_id),
            ]
            for i, block in enumerate(blocks):
                u = dict(full)
                if i < len(blocks) - 1:
                    u["output_tokens"] = rng.randint(1, 10)  # partial on the earlier copies
                line = assistant(
                    session, when, msg_id=msg_id, request_id=req_id, model=model,
                    u=u, content=[block], uid=new_uuid(rng), cwd=cwd,
                )  # fmt: skip
                lines.append(line)
                info.add(f"{msg_id}:{req_id}", u)
            result: Json = {"type": "text", "file": {"filePath": tool_input.get("file_path"), "content": ""}}
            result["file"]["content"] = _prose(rng, rng.randint(100, 900))
            if name == "Task":
                result = {
                    "content": [{"type": "text", "text": _prose(rng, 50)}],
                    "totalDurationMs": 12000,
                    "totalTokens": 55555,
                    "totalToolUseCount": 4,
                    "usage": usage(100, 2000, 5000, 40000),
                }
            lines.append(
                tool_result(
                    session, when + timedelta(seconds=1), tool_id, _prose(rng, 40), result=result,
                    uid=new_uuid(rng), cwd=cwd,
                )
            )  # fmt: skip
            if name == "Task":
                agent = f"{rng.getrandbits(28):07x}"
                for k in range(rng.randint(2, 5)):
                    a_id, a_req = f"msg_{rng.getrandbits(80):020x}", f"req_{rng.getrandbits(80):020x}"
                    u = usage(rng.randint(1, 9), rng.randint(20, 900), rng.randint(0, 9000), rng.randint(0, 60_000))
                    agent_lines.setdefault(agent, []).append(
                        assistant(
                            session, when + timedelta(seconds=k), msg_id=a_id, request_id=a_req, model=HAIKU_45,
                            u=u, uid=new_uuid(rng), cwd=cwd, agentId=agent, isSidechain=True,
                        )
                    )  # fmt: skip
                    info.add(f"{a_id}:{a_req}", u)
            if turn % 7 == 3:
                lines.append({"type": "progress", "data": {"type": "hook_progress"}, "uuid": new_uuid(rng)})
                lines.append({"type": "future-line-type", "sessionId": session, "payload": _prose(rng, 10)})
        folder = root / "projects" / encode_cwd(cwd)
        info.bytes += write_jsonl(folder / f"{session}.jsonl", lines)
        info.files += 1
        for agent, agent_file_lines in agent_lines.items():
            if n % 2:  # 2.1.x layout, with its .meta.json
                agent_file = folder / session / "subagents" / f"agent-{agent}.jsonl"
                info.bytes += write_jsonl(agent_file, agent_file_lines)
                agent_file.with_suffix(".meta.json").write_text('{"agentType": "Explore", "description": "Look"}')
            else:  # 2.0.x layout: flat, next to the session file
                info.bytes += write_jsonl(folder / f"agent-{agent}.jsonl", agent_file_lines)
            info.files += 1
        previous = [line for line in lines if line.get("type") == "assistant"]
    return info
