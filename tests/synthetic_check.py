"""Checks of a corpus written by the synthetic generator (`synthetic/`): `check_corpus` on any generated corpus,
`self_check` on small ones it generates itself (run by a test and by `python -m bench.generate --self-check`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from synthetic import JsonObj, Params, encode_cwd, generate, iter_transcripts, read_manifest, tree_digest


@dataclass
class CheckState:
    problems: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    tools: set[str] = field(default_factory=set)
    responses: dict[tuple[str, str], list[JsonObj]] = field(default_factory=dict)
    big_lines: int = 0
    misplaced: set[str] = field(default_factory=set)
    agent_responses: set[tuple[str, str]] = field(default_factory=set)  # responses written in subagent files
    progress_copies: set[tuple[str, str]] = field(default_factory=set)  # responses copied into agent_progress


def _check_line(state: CheckState, path: Path, obj: JsonObj, size: int) -> None:
    kind = str(obj.get("type"))
    state.kinds.add(f"system/{obj.get('subtype')}" if kind == "system" else kind)
    if kind == "progress":
        _check_progress(state, obj["data"])
    if kind in ("attachment", "api-request-shape") and size >= 20_000:
        state.big_lines += 1
    cwd = obj.get("cwd")
    if cwd is not None and encode_cwd(cwd) not in path.parts:
        state.misplaced.add(f"{path.name}: cwd {cwd!r} does not match its folder")
    if kind == "assistant" and obj["message"]["model"] != "<synthetic>":
        message = obj["message"]
        state.responses.setdefault((message["id"], obj["requestId"]), []).append(message["usage"])
        if path.name.startswith("agent-"):
            state.agent_responses.add((message["id"], obj["requestId"]))
        for block in message["content"]:
            if block["type"] == "tool_use":
                state.tools.add(block["name"])
                if block["name"] in ("Read", "Edit", "Write") and "file_path" not in block["input"]:
                    state.problems.append(f"{path.name}: {block['name']} without file_path")


def _check_progress(state: CheckState, data: JsonObj) -> None:
    state.kinds.add(f"progress/{data['type']}")
    nested = data.get("message") if data["type"] == "agent_progress" else None
    if nested is not None and nested["type"] == "assistant":
        state.progress_copies.add((nested["message"]["id"], nested["requestId"]))


def _check_subagents(state: CheckState, manifest: JsonObj) -> None:
    """agent_progress copies only responses of subagent files, which the manifest's subagent totals hold."""
    if state.progress_copies - state.agent_responses:
        state.problems.append("an agent_progress line copies a response that no subagent file has")
    output = sum(max(u["output_tokens"] for u in state.responses[key]) for key in state.agent_responses)
    expected = manifest["expectedSubagents"]
    if (len(state.agent_responses), output) != (expected["responses"], expected["output_tokens"]):
        state.problems.append("subagent responses recomputed from the files differ from the manifest")


def _check_responses(state: CheckState, manifest: JsonObj) -> None:
    output = cache_read = 0
    for key, copies in state.responses.items():
        stable = [{k: v for k, v in u.items() if k != "output_tokens"} for u in copies]
        if any(s != stable[0] for s in stable):
            state.problems.append(f"response {key}: input/cache figures differ between copies")
        output += max(u["output_tokens"] for u in copies)
        cache_read += copies[0]["cache_read_input_tokens"]
    expected = manifest["expected"]
    if len(state.responses) != expected["responses"]:
        state.problems.append(f"{len(state.responses)} unique responses, manifest says {expected['responses']}")
    if output != expected["output_tokens"] or cache_read != expected["cache_read_tokens"]:
        state.problems.append("token totals recomputed from the files differ from the manifest")


def check_corpus(out: Path) -> list[str]:
    """Validate a generated corpus: JSON, layout, traps present, totals consistent with the manifest."""
    manifest = read_manifest(out)
    if manifest is None:
        return [f"{out}: no manifest"]
    state = CheckState()
    total = 0
    for path in iter_transcripts(out):
        data = path.read_bytes()
        total += len(data)
        if not data.endswith(b"\n"):
            state.problems.append(f"{path.name}: no final newline")
        for raw in data.splitlines():
            _check_line(state, path, orjson.loads(raw), len(raw))
    _check_responses(state, manifest)
    _check_subagents(state, manifest)
    state.problems += sorted(state.misplaced)
    if total != manifest["stats"]["jsonl_bytes"]:
        state.problems.append(f"{total} bytes on disk, manifest says {manifest['stats']['jsonl_bytes']}")
    wanted = {
        "user",
        "assistant",
        "summary",
        "custom-title",
        "file-history-snapshot",
        "cost-state",
        "system/api_error",
        "system/compact_boundary",
        "attachment",
        "api-request-shape",
        "progress/hook_progress",
        "progress/bash_progress",
        "progress/mcp_progress",
        "progress/agent_progress",
    }
    state.problems += [f"no {kind} line" for kind in sorted(wanted - state.kinds)]
    state.problems += [f"no {tool} tool_use" for tool in sorted({"Read", "Edit", "Write", "Bash"} - state.tools)]
    if state.big_lines == 0:
        state.problems.append("no large non-message line")
    if not any((out / "projects").rglob("subagents/agent-*.jsonl")):
        state.problems.append("no <session>/subagents/agent-*.jsonl file")
    if not any((out / "projects").glob("*/agent-*.jsonl")):
        state.problems.append("no flat agent-*.jsonl file")
    if not (out / "history.jsonl").stat().st_size:
        state.problems.append("empty history.jsonl")
    return state.problems


def self_check(work_dir: Path, size_mb: float = 5.0) -> list[str]:
    """Generate small corpora in ``work_dir`` and return the problems found (an empty list means all is well).

    Checks determinism (same seed, same bytes; another seed, other bytes), the size target, and
    ``check_corpus`` on the output. Meant to be called from a test with a temporary directory.
    """
    params = Params(size_mb=size_mb, max_file_mb=2.0, seed=7)
    first, second, other = work_dir / "a", work_dir / "b", work_dir / "c"
    manifest = generate(first, params)
    generate(second, params)
    generate(other, Params(size_mb=size_mb, max_file_mb=2.0, seed=8))
    problems = check_corpus(first)
    if tree_digest(first) != tree_digest(second):
        problems.append("two runs with the same seed differ")
    if tree_digest(first) == tree_digest(other):
        problems.append("two different seeds gave the same corpus")
    written = manifest["stats"]["jsonl_bytes"]
    if not params.target_bytes <= written <= params.target_bytes * 1.2:
        problems.append(f"{written} bytes written for a target of {params.target_bytes}")
    if manifest["stats"]["largest_file_bytes"] > params.max_file_bytes:
        problems.append("a file is larger than --max-file-mb")
    if manifest["appendTarget"] is None:
        problems.append("no append target")
    return problems
