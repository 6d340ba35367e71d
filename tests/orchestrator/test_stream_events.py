"""Stream-json events and result classification, fed the real CLI's outputs: runs made here against the fake API,
and the recorded samples of the reference (reference/samples/headless-runs in ../shared, skipped when absent)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck.claude.pricing import Pricer
from ccdeck.claude.tools import tool_summary
from ccdeck.orchestrator.events import TIMEOUT, TOOL_SUMMARY_CHARS, StreamState, classify, describe
from core_fixtures import RATE_LIMITED_ENV, RATE_LIMITED_PROMPT
from fakeapi import DEFAULT_MODEL, ClaudeRunner, ClaudeSandbox, CliResult
from shared_data import require_shared


def samples() -> Path:
    """The recorded runs of the reference; skips the calling test when ../shared is absent."""
    return require_shared("reference", "samples", "headless-runs")


def sample(name: str) -> tuple[StreamState, int, str]:
    """A sample's stream fed through `StreamState`, its exit code and its stderr."""
    folder = samples()
    stdout = folder / f"{name}.stdout"
    if not stdout.is_file():
        pytest.skip(f"sample {name} not found in {folder}")
    state = StreamState()
    for line in stdout.read_bytes().splitlines():
        if line.strip():
            state.feed(orjson.loads(line))
    meta = (folder / f"{name}.meta").read_text() if (folder / f"{name}.meta").exists() else "rc=-9"
    rc = int(meta.split("rc=")[1].split()[0])
    stderr = (folder / f"{name}.stderr").read_text().strip() if (folder / f"{name}.stderr").exists() else ""
    return state, rc, stderr


def fed(run: CliResult) -> StreamState:
    """A run's stream-json events fed through `StreamState`."""
    state = StreamState()
    for event in run.events:
        state.feed(event)
    return state


# ------------------------------------------------------------------------------------------------- runs made here


@pytest.mark.cli
@pytest.mark.slow
def test_stream_of_a_write_by_the_real_cli(claude: ClaudeRunner, claude_sandbox: ClaudeSandbox) -> None:
    run = claude.run("Create the file. [[fake:write_file:notes/hello.txt]]", "--model", DEFAULT_MODEL)
    state, written = fed(run), str(claude_sandbox.cwd / "notes" / "hello.txt")
    result = state.result
    assert result is not None, run.describe()
    assert classify(result, run.returncode, None).status == "succeeded"
    assert state.session_id == result["session_id"] == run.session_id
    assert state.turns == 2
    assert state.files_changed == [written]
    assert state.last_tool == tool_summary(
        "Write", {"file_path": written}, TOOL_SUMMARY_CHARS
    )  # shortened: the path is long
    assert state.denials == []
    assert state.cost(Pricer(), time.time()) == (result["total_cost_usd"], False)
    ((model, tokens),) = state.tokens_by_model().items()
    usage = result["modelUsage"][model]
    assert (tokens.input, tokens.output, tokens.cache_creation, tokens.cache_read, tokens.cost) == (
        usage["inputTokens"], usage["outputTokens"], usage["cacheCreationInputTokens"],
        usage["cacheReadInputTokens"], usage["costUSD"],
    )  # fmt: skip
    lines = [text for event in run.events for text in describe(event)]
    assert lines[0].startswith(f"session {run.session_id} in {claude_sandbox.cwd}")
    assert any(line.startswith("tool: Write: ") for line in lines)
    assert lines[-1] == "Done: the tool ran successfully."


@pytest.mark.cli
@pytest.mark.slow
def test_rate_limited_real_cli_run_is_a_retryable_failure(claude: ClaudeRunner) -> None:
    run = claude.run(RATE_LIMITED_PROMPT, env=RATE_LIMITED_ENV)
    state = fed(run)
    assert state.api_retries == [429]
    stderr = run.stderr.strip().splitlines()
    outcome = classify(state.result, run.returncode, None, stderr[-1] if stderr else "")
    assert (outcome.status, outcome.retryable) == ("failed", True), (outcome, run.describe())
    assert "429" in str(outcome.error)


# ------------------------------------------------------------------------------------------------- the samples


@pytest.mark.parametrize(
    ("name", "status", "retryable"),
    [
        ("01_streamjson_bypass", "failed", False),  # root without IS_SANDBOX: no stdout, one stderr line
        ("02_streamjson_bypass_issandbox", "succeeded", False),
        ("03_json_bash", "succeeded", False),
        ("05_acceptEdits_write", "succeeded", False),
        ("08_default_bash", "succeeded", False),
        ("09_default_write", "succeeded", False),  # a denied write is still a successful session
        ("10_dontAsk_bash", "succeeded", False),
        ("11_maxturns3", "max_turns", False),
        ("12_budget", "budget_exceeded", False),
        ("13_streamjson_partial", "succeeded", False),
        ("14_streamjson_noverbose", "failed", False),
        ("20_v197_streamjson_write", "succeeded", False),
        ("30_sigterm_turn1", "failed", False),  # 143, no result line
        ("32_sigint_turn2", "failed", False),  # error_during_execution / aborted_streaming
        ("34_sigint_in_tool", "succeeded", False),
        ("36_sigkill_in_tool", "failed", False),
        ("40_err429", "failed", True),
        ("41_err529", "failed", True),
        ("42_err500", "failed", False),
        ("43_err429_retryafter1_max3", "failed", True),
        ("44_err529_max2", "failed", True),
        ("45_err500_recover", "succeeded", False),
        ("46_err401", "failed", False),
        ("47_err400", "failed", False),
        ("50_stall_idle", "succeeded", False),
        ("51_stall_idle5s", "failed", False),
        ("54_drop_midstream", "succeeded", False),
        ("60_weird", "succeeded", False),
        ("61_long", "succeeded", False),
        ("70_par1", "succeeded", False),
        ("80_sessionid", "succeeded", False),
        ("81_resume", "succeeded", False),
    ],
)
def test_classification_of_real_runs(name: str, status: str, retryable: bool) -> None:
    state, rc, stderr = sample(name)
    outcome = classify(state.result, rc, None, stderr.splitlines()[-1] if stderr else "")
    assert (outcome.status, outcome.retryable) == (status, retryable), outcome
    if status != "succeeded":
        assert outcome.error


def test_failure_reasons_are_one_readable_line() -> None:
    state, rc, stderr = sample("01_streamjson_bypass")
    assert classify(state.result, rc, None, stderr).error == (
        "exited with code 1 without a result: --dangerously-skip-permissions cannot be used with root/sudo "
        "privileges for security reasons"
    )
    state, rc, _ = sample("11_maxturns3")
    assert classify(state.result, rc, None).error == "Reached maximum number of turns (3)"
    state, rc, _ = sample("12_budget")
    assert classify(state.result, rc, None).error == "Reached maximum budget ($0.2)"
    state, rc, _ = sample("40_err429")
    assert "429" in str(classify(state.result, rc, None).error)
    assert classify(None, -9, None).error == "killed by signal 9 without a result"


def test_our_stop_decides_when_it_came_before_the_result() -> None:
    # SIGTERM: no result. SIGINT: an error_during_execution result, or (5-10 %) none at all.
    for name in ("30_sigterm_turn1", "32_sigint_turn2", "33_sigterm_in_tool"):
        state, rc, _ = sample(name)
        assert classify(state.result, rc, TIMEOUT).status == "timed_out"
        stopped = classify(state.result, rc, "stopped on request")
        assert (stopped.status, stopped.error) == ("stopped", "stopped on request")
    assert classify(None, 0, "supervisor received SIGTERM").status == "stopped"


def test_stream_of_a_write() -> None:
    state, _, _ = sample("02_streamjson_bypass_issandbox")
    result = state.result
    assert result is not None
    assert state.session_id == result["session_id"]
    assert state.turns == 2
    assert state.files_changed == ["/home/dev/demo/proj1/hello.txt"]
    assert state.last_tool == "Write: /home/dev/demo/proj1/hello.txt"
    assert state.denials == []
    assert state.cost(Pricer(), time.time()) == (result["total_cost_usd"], False)
    (model, tokens), *_ = state.tokens_by_model().items()
    usage = result["modelUsage"][model]
    assert (tokens.input, tokens.output, tokens.cache_creation, tokens.cache_read, tokens.cost) == (
        usage["inputTokens"], usage["outputTokens"], usage["cacheCreationInputTokens"],
        usage["cacheReadInputTokens"], usage["costUSD"],
    )  # fmt: skip


def test_denied_write_changes_no_file_and_is_reported() -> None:
    state, _, _ = sample("09_default_write")
    assert state.files_changed == []
    assert [(d["tool_name"], d["tool_input"]["file_path"]) for d in state.denials] == [
        ("Write", "/home/dev/demo/p09/hello.txt")
    ]
    state, _, _ = sample("10_dontAsk_bash")
    assert [d["tool_input"]["command"] for d in state.denials] == ["touch made_by_bash.txt"]


def test_retries_are_seen_and_progress_is_estimated_before_the_result() -> None:
    state, _, _ = sample("43_err429_retryafter1_max3")
    assert state.api_retries == [429, 429, 429]
    # Without its result line, a stream's cost is the usage seen so far, priced: an estimate.
    lines = (samples() / "31_sigterm_turn2.stdout").read_bytes().splitlines()
    partial = StreamState()
    for line in lines:
        partial.feed(orjson.loads(line))
    assert partial.result is None
    assert partial.turns == 1
    assert partial.last_tool is not None
    cost, estimated = partial.cost(Pricer(), time.time())
    assert estimated
    assert cost is not None and cost > 0
    tokens = sum(t.total for t in partial.tokens_by_model().values())
    assert tokens > 0


def test_assistant_copies_keep_the_largest_usage() -> None:
    state = StreamState()
    message: dict[str, Any] = {"id": "m1", "model": "claude-sonnet-4-5", "content": []}
    for output in (1, 40, 7):
        usage = {"input_tokens": 3, "output_tokens": output, "cache_read_input_tokens": 10}
        state.feed({"type": "assistant", "message": {**message, "usage": usage}})
    tokens = state.tokens_by_model()["claude-sonnet-4-5"]
    assert (tokens.input, tokens.output, tokens.cache_read) == (3, 40, 10)
    state.feed({"type": "not-a-known-type"})
    state.feed({"type": "assistant", "message": "not an object"})
    assert state.turns == 1


def test_describe_renders_a_session_readably() -> None:
    lines = [
        text
        for raw in (samples() / "02_streamjson_bypass_issandbox.stdout").read_bytes().splitlines()
        for text in describe(orjson.loads(raw))
    ]
    assert lines[0].startswith("session 4feedfa5-1925-4b23-9e72-e6918579faac in /home/dev/demo/proj1")
    assert "tool: Write: /home/dev/demo/proj1/hello.txt" in lines
    assert any(line.startswith("tool result: File created successfully") for line in lines)
    assert lines[-2].startswith("result: success, 2 turn(s), $0.09")
    assert lines[-1] == "Done: the tool ran successfully."


def test_a_synthetic_error_stand_in_is_no_model() -> None:
    """The CLI's `<synthetic>` message (an API error it writes itself, zero usage) is listed nowhere and makes no
    estimate unpriced; a `modelUsage` entry for it is dropped too."""
    state = StreamState()
    state.feed({"type": "system", "subtype": "init", "session_id": "s1", "model": "claude-sonnet-4-5"})
    usage = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    state.feed({"type": "assistant", "message": {"id": "e1", "model": "<synthetic>", "usage": usage,
                                                 "content": [{"type": "text", "text": "API Error: 429"}]}})  # fmt: skip
    assert state.tokens_by_model() == {}
    assert state.cost(Pricer(), time.time()) == (0.0, True)
    state.feed({"type": "result", "subtype": "success", "is_error": True,
                "modelUsage": {"<synthetic>": {"inputTokens": 0, "costUSD": 0},
                               "claude-sonnet-4-5": {"inputTokens": 5, "costUSD": 0.01}}})  # fmt: skip
    assert list(state.tokens_by_model()) == ["claude-sonnet-4-5"]


def test_an_estimate_with_an_unpriced_model_is_unpriced() -> None:
    state = StreamState()
    for msg_id, model in (("m1", "claude-sonnet-4-5"), ("m2", "MiniMax-M2.1")):
        usage = {"input_tokens": 1000, "output_tokens": 10}
        state.feed({"type": "assistant", "message": {"id": msg_id, "model": model, "usage": usage, "content": []}})
    assert state.cost(Pricer(), time.time()) == (None, True)
