"""Tool calls of a transcript: the tool_use blocks, what runs meanwhile (a subagent, progress lines), the results."""

from __future__ import annotations

from typing import Any

from synthetic import progress
from synthetic.constants import (
    AGENT_TOOL_FROM,
    AGENT_TYPES,
    BASH_COMMANDS,
    MCP_SERVERS,
    P_BASH_PROGRESS,
    P_MCP,
    TOOL_NAMES,
    TOOL_WEIGHTS,
    JsonObj,
)
from synthetic.lines import Lines
from synthetic.primitives import new_token, version_tuple
from synthetic.records import SpawnedAgent


class Tools(Lines):
    """The tool_use blocks of a response and the lines that answer them."""

    def tool_use(self) -> JsonObj:
        rng = self.rng
        tool_id = new_token(rng, "toolu_01", 88)
        if self.pending_agents and rng.random() < 0.2:
            return self.agent_tool_use(tool_id)
        if rng.random() < P_MCP:
            server, tool = rng.choice(MCP_SERVERS)
            name = f"mcp__{server}__{tool}"
            return {"type": "tool_use", "id": tool_id, "name": name, "input": {"query": "open bugs"}}
        name = rng.choices(TOOL_NAMES, TOOL_WEIGHTS)[0]
        tool_input: JsonObj
        if name == "Bash":
            tool_input = {"command": rng.choice(BASH_COMMANDS), "description": "Run a command"}
        elif name == "Grep":
            tool_input = {"pattern": self.pool.text(8).strip() or "TODO", "path": self.spec.cwd}
        elif name == "Read":
            tool_input = {"file_path": self.file_path()}
        elif name == "Edit":
            tool_input = {
                "file_path": self.file_path(),
                "old_string": self.pool.text(rng.randint(40, 800)),
                "new_string": self.pool.text(rng.randint(40, 900)),
            }
        else:
            tool_input = {
                "file_path": self.file_path(),
                "content": self.pool.text(self.log_size(1_500, 1.0, 50, 30_000)),
            }
        if name in ("Edit", "Write"):
            self.edited.append(tool_input["file_path"])
        return {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}

    def agent_tool_use(self, tool_id: str) -> JsonObj:
        agent_id = self.pending_agents.pop(0)
        description = self.pool.text(self.rng.randint(15, 40)).replace("\n", " ")
        prompt = self.pool.text(self.rng.randint(200, 2_000))
        name = "Agent" if version_tuple(self.spec.version) >= AGENT_TOOL_FROM else "Task"
        tool_input = {"subagent_type": AGENT_TYPES[0], "description": description, "prompt": prompt}
        self.agent_of_tool[tool_id] = SpawnedAgent(agent_id, self.clock, description, prompt)
        return {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}

    def tool_result(self, tool_use: JsonObj) -> None:
        self.tool_progress(tool_use)
        self.tick(100, 20_000)
        text, result = self.tool_output(tool_use)
        is_error = self.rng.random() < 0.03
        block = {"tool_use_id": tool_use["id"], "type": "tool_result", "content": text, "is_error": is_error}
        if self.hooks:
            progress.post_tool_hook(self, tool_use)
        self.emit({"type": "user", "message": {"role": "user", "content": [block]}, "toolUseResult": result})
        self.pending_tokens += len(text) // 4

    def tool_progress(self, tool_use: JsonObj) -> None:
        """What Claude Code writes while the tool runs: a subagent's whole run, a command's output, MCP status."""
        name = tool_use["name"]
        if name in ("Task", "Agent"):
            spawned = self.agent_of_tool[tool_use["id"]]
            copies, end_ms = self.gen.write_agent(self.spec, spawned, self.file.path.parent)
            progress.agent_progress(self, tool_use, spawned.agent_id, spawned.prompt, copies)
            self.clock = max(self.clock, end_ms)
        elif name == "Bash" and self.rng.random() < P_BASH_PROGRESS:
            progress.bash_progress(self, tool_use)
        elif name.startswith("mcp__"):
            progress.mcp_progress(self, tool_use, "started")
            self.tick(80, 4_000)
            progress.mcp_progress(self, tool_use, "completed")

    def tool_output(self, tool_use: JsonObj) -> tuple[str, Any]:
        """The result text sent to the model and the structured toolUseResult Claude Code keeps next to it."""
        name = tool_use["name"]
        tool_input = tool_use["input"]
        if name in ("Task", "Agent"):
            return self.agent_output(tool_use)
        if name.startswith("mcp__"):
            text = self.pool.text(self.log_size(2_000, 1.0, 50, 40_000))
            return text, [{"type": "text", "text": text}]
        if name == "Read":
            text = self.pool.text(self.log_size(3_000, 1.2, 20, 80_000))
            lines = text.count("\n") + 1
            file = {
                "filePath": tool_input["file_path"],
                "content": text,
                "numLines": lines,
                "startLine": 1,
                "totalLines": lines,
            }
            return text, {"type": "text", "file": file}
        if name == "Edit":
            return self.edit_output(tool_input)
        if name == "Write":
            text = f"File created successfully at: {tool_input['file_path']}"
            result = {
                "type": "create",
                "filePath": tool_input["file_path"],
                "content": tool_input["content"],
                "structuredPatch": [],
                "originalFile": None,
            }
            return text, result
        if name == "Grep":
            names = [self.file_path() for _ in range(self.rng.randint(0, 12))]
            return "\n".join(names) or "No files found", {
                "mode": "files_with_matches",
                "filenames": names,
                "numFiles": len(names),
            }
        text = self.pool.text(self.log_size(1_500, 1.4, 0, 60_000))
        return text, {"stdout": text, "stderr": "", "interrupted": False, "isImage": False}

    def edit_output(self, tool_input: JsonObj) -> tuple[str, JsonObj]:
        snippet = self.pool.text(self.rng.randint(300, 3_000))
        text = f"The file {tool_input['file_path']} has been updated. Here's the result:\n{snippet}"
        hunk = {
            "oldStart": 1,
            "oldLines": 3,
            "newStart": 1,
            "newLines": 4,
            "lines": [" " + self.pool.text(60), "-" + self.pool.text(60), "+" + self.pool.text(60)],
        }
        result = {
            "filePath": tool_input["file_path"],
            "oldString": tool_input["old_string"],
            "newString": tool_input["new_string"],
            "originalFile": self.pool.text(self.log_size(4_000, 1.0, 200, 60_000)),
            "structuredPatch": [hunk],
            "userModified": False,
            "replaceAll": False,
        }
        return text, result

    def agent_output(self, tool_use: JsonObj) -> tuple[str, JsonObj]:
        """A Task/Agent result: its usage summary repeats the subagent's calls and must not be counted."""
        report = self.pool.text(self.rng.randint(500, 6_000))
        usage = {
            "input_tokens": 0,
            "cache_creation_input_tokens": self.rng.randint(500, 5_000),
            "cache_read_input_tokens": self.rng.randint(10_000, 90_000),
            "output_tokens": self.rng.randint(200, 5_000),
            "service_tier": "standard",
        }
        result = {
            "status": "completed",
            "prompt": tool_use["input"]["prompt"],
            "agentId": self.agent_of_tool.pop(tool_use["id"]).agent_id,
            "content": [{"type": "text", "text": report}],
            "totalDurationMs": self.rng.randint(5_000, 300_000),
            "totalTokens": sum(v for v in usage.values() if isinstance(v, int)),
            "totalToolUseCount": self.rng.randint(1, 40),
            "usage": usage,
        }
        return report, result


# -- public API -------------------------------------------------------------------------------------------
