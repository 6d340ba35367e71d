"""The rules of Claude's message format are one: the transcript parser and the `claude -p` stream read the same
message to the same tokens and the same tool call, and refuse the same impossible counts."""

from __future__ import annotations

from typing import Any

import pytest

from ccdeck.claude.message import MAX_TOKENS, BadMessage, tool_call, usage_tokens
from ccdeck.claude.parser import parse_record
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.records import Record
from ccdeck.claude.tools import tool_summary
from ccdeck.models import Malformed, TokenUsage
from ccdeck.orchestrator.events import TOOL_SUMMARY_CHARS, StreamState
from core_fixtures import OPUS_4, assistant, dumps, tool_use, usage

S = "44444444-5555-4666-8777-888888888888"
TS = "2025-08-01T10:00:00.000Z"
WHEN = 1754042400.0

BAD_COUNTS = [
    pytest.param({"output_tokens": -5}, id="negative"),
    pytest.param({"output_tokens": True}, id="bool"),
    pytest.param({"input_tokens": 2.0}, id="float"),
    pytest.param({"cache_read_input_tokens": "100"}, id="string"),
    pytest.param({"input_tokens": MAX_TOKENS + 1}, id="too-many"),
    pytest.param({"cache_creation": {"ephemeral_1h_input_tokens": 11}}, id="more-1h-than-written"),
]


def streamed(*lines: dict[str, Any]) -> StreamState:
    state = StreamState()
    for line in lines:
        state.feed(line)
    return state


@pytest.mark.parametrize("bad", BAD_COUNTS)
def test_an_impossible_count_is_refused_by_both(bad: dict[str, Any]) -> None:
    line = assistant(S, TS, msg_id="msg_bad", u=usage(1, 2, 10, 4) | bad)
    with pytest.raises(BadMessage):
        usage_tokens(line["message"]["usage"])
    # A transcript line holding it is malformed (counted, skipped); the stream leaves the message's usage out.
    assert isinstance(parse_record(dumps(line)), Malformed)
    state = streamed(line)
    assert state.tokens_by_model() == {}
    assert state.turns == 0
    assert state.cost(Pricer(), WHEN) == (0.0, True)


def test_a_good_message_gives_both_the_same_tokens_and_price() -> None:
    u = usage(3, 400, 5000, 60000, one_hour=1000, server_tool_use={"web_search_requests": 2}, speed="fast")
    line = assistant(S, TS, msg_id="msg_x", model=OPUS_4, u=u)
    record = parse_record(dumps(line))
    assert isinstance(record, Record) and record.response is not None
    tokens = record.response.usage
    assert tokens == TokenUsage(3, 400, 5000, 60000, 4000, 1000, 2, True)
    state = streamed(line)
    ((model, totals),) = state.tokens_by_model().items()
    assert model == OPUS_4
    assert (totals.input, totals.output, totals.cache_creation, totals.cache_read) == (3, 400, 5000, 60000)
    # The estimate prices the response as the transcripts' is: its 1-hour writes, web searches and fast mode.
    pricer = Pricer()
    assert state.cost(pricer, WHEN) == (pricer.cost(OPUS_4, tokens, WHEN), True)


def test_the_estimate_prices_each_response_at_its_own_tier() -> None:
    """Two responses of 150k prompt tokens each: neither is past a 200k long-context threshold, their sum is."""
    lines = [assistant(S, TS, msg_id=f"msg_{n}", u=usage(150_000, 10, 0, 0)) for n in (1, 2)]
    pricer = Pricer()
    each = [parse_record(dumps(line)) for line in lines]
    expected = sum(pricer.cost(r.response.model, r.response.usage, WHEN) for r in each)  # type: ignore[union-attr,misc]
    assert streamed(*lines).cost(pricer, WHEN) == (pytest.approx(expected, rel=1e-12), True)
    summed = pricer.cost(each[0].response.model, TokenUsage(300_000, 20), WHEN)  # type: ignore[union-attr]
    assert summed is not None and summed > expected * 1.2  # what pricing the sum (as before) made of it


@pytest.mark.parametrize(
    ("block", "name", "path"),
    [
        (tool_use("Edit", {"file_path": "/p/a.py", "old_string": "x"}, "toolu_1"), "Edit", "/p/a.py"),
        (tool_use("NotebookEdit", {"notebook_path": "/p/n.ipynb"}, "toolu_1"), "NotebookEdit", "/p/n.ipynb"),
        (tool_use("Bash", {"command": "ls", "description": "List"}, "toolu_1"), "Bash", None),
        ({"type": "tool_use", "id": "toolu_1", "name": 7, "input": "not an object"}, "tool", None),
    ],
)
def test_a_tool_call_reads_the_same_in_both(block: dict[str, Any], name: str, path: str | None) -> None:
    assert tool_call(block)[::2] == (name, path)
    line = assistant(S, TS, content=[block])
    record = parse_record(dumps(line))
    assert isinstance(record, Record)
    (event,), (tool,) = record.events, record.tool_uses
    assert (tool.name, tool.path) == (name, path)
    state = streamed(line)
    assert state.last_tool == event.text == tool_summary(name, tool_call(block).input)
    result = {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]}}
    state.feed(result)
    assert state.files_changed == ([path] if path else [])


def test_tool_summary_is_short_with_a_limit() -> None:
    assert tool_summary("Bash", {"command": "npm   test\n--watch", "description": "x"}, 80) == "Bash: npm test --watch"
    assert tool_summary("TodoWrite", {"todos": []}, 80) == "TodoWrite"
    assert len(tool_summary("Bash", {"command": "x" * 500}, 80)) == len("Bash: ") + 80
    assert tool_summary("Bash", {"command": "x" * 500}, 80).endswith("x…")
    # Without one, the argument is as written (the timeline cuts it to its own length).
    assert tool_summary("Bash", {"command": "npm   test\n--watch"}) == "Bash: npm   test\n--watch"


def test_tool_summary_names_the_same_argument_everywhere() -> None:
    question = {"questions": [{"question": "Which   database?", "options": []}]}
    assert tool_summary("AskUserQuestion", question, TOOL_SUMMARY_CHARS) == "AskUserQuestion: Which database?"
    both = {"description": "Fetch the docs", "url": "https://example.com"}
    assert tool_summary("WebFetch", both) == "WebFetch: Fetch the docs"
    assert tool_summary("WebFetch", both, TOOL_SUMMARY_CHARS) == "WebFetch: Fetch the docs"
