"""The `progress` lines of the synthetic transcripts, as Claude Code 2.x writes them while a hook, a command, an MCP
call or a subagent runs (part of the generator: `tools.py` calls them).

Each is a top-level ``"type": "progress"`` line in the chain (``uuid`` / ``parentUuid``) with a ``data`` object
whose ``type`` says what runs, and the tool call it belongs to in ``parentToolUseID`` / ``toolUseID``. None of
them may be counted: ``agent_progress`` carries a whole copy of a subagent's message, assistant responses with
their ``message.id``, ``requestId`` and ``usage`` included, which the subagent's own file counts.
"""

from __future__ import annotations

from synthetic.constants import JsonObj
from synthetic.lines import Lines
from synthetic.records import AgentCopy

# The keys of a transcript line that agent_progress copies into data.message.
NESTED_KEYS = ("type", "message", "requestId", "uuid", "timestamp")


def progress(session: Lines, data: JsonObj, tool_use_id: str, parent_tool_use_id: str) -> None:
    session.emit({"type": "progress", "data": data, "toolUseID": tool_use_id, "parentToolUseID": parent_tool_use_id})
    session.gen.stats.progress_lines += 1


def session_start_hook(session: Lines) -> None:
    data = {"type": "hook_progress", "hookEvent": "SessionStart", "hookName": "SessionStart:startup",
            "command": "~/.claude/hooks/session-start.sh"}  # fmt: skip
    marker = f"SessionStart-{session.spec.session_id}"
    progress(session, data, marker, marker)


def post_tool_hook(session: Lines, tool_use: JsonObj) -> None:
    name = tool_use["name"]
    data = {"type": "hook_progress", "hookEvent": "PostToolUse", "hookName": f"PostToolUse:{name}",
            "command": "callback"}  # fmt: skip
    progress(session, data, tool_use["id"], tool_use["id"])


def bash_progress(session: Lines, tool_use: JsonObj) -> None:
    """A long command's output as it grows, one line every second or so."""
    rng = session.rng
    output = ""
    for index in range(rng.randint(1, 6)):
        output += session.pool.text(rng.randint(40, 1_500)) + "\n"
        session.tick(800, 1_200)
        data = {"type": "bash_progress", "output": output[-1_000:], "fullOutput": output,
                "elapsedTimeSeconds": index + 2, "totalLines": output.count("\n")}  # fmt: skip
        progress(session, data, f"bash-progress-{index}", tool_use["id"])


def mcp_progress(session: Lines, tool_use: JsonObj, status: str) -> None:
    _, server, tool = tool_use["name"].split("__", 2)
    data: JsonObj = {"type": "mcp_progress", "status": status, "serverName": server, "toolName": tool}
    if status == "completed":
        data["elapsedTimeMs"] = session.rng.randint(80, 4_000)
    progress(session, data, tool_use["id"], tool_use["id"])


def agent_progress(session: Lines, tool_use: JsonObj, agent_id: str, prompt: str, copies: list[AgentCopy]) -> None:
    """One line per message of the subagent's run, at its time: its prompt, then a copy of each of its responses."""
    for line, ms in copies:
        nested = {key: line[key] for key in NESTED_KEYS if key in line}
        data = {"message": nested, "normalizedMessages": [], "type": "agent_progress", "prompt": prompt,
                "agentId": agent_id}  # fmt: skip
        session.clock = max(session.clock, ms)
        progress(session, data, f"agent_msg_{line['uuid'][:8]}", tool_use["id"])
