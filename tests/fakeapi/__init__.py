"""A fake Anthropic Messages API and helpers to run the real Claude Code CLI against it in tests.

Import the pytest fixtures with `pytest_plugins = ["fakeapi.fixtures"]` in `tests/conftest.py`.
"""

from .cli import ClaudeRunner, ClaudeSandbox, CliResult, find_claude_bin, headless_args, stop_group
from .messages import DEFAULT_MODEL, Reply, Text, ToolUse, Usage
from .recording import RecordedRequest
from .scripts import Call, Drop, Fail, Marker, Stall
from .server import FakeApi

__all__ = [
    "DEFAULT_MODEL",
    "Call",
    "ClaudeRunner",
    "ClaudeSandbox",
    "CliResult",
    "Drop",
    "Fail",
    "FakeApi",
    "Marker",
    "RecordedRequest",
    "Reply",
    "Stall",
    "Text",
    "ToolUse",
    "Usage",
    "find_claude_bin",
    "headless_args",
    "stop_group",
]
