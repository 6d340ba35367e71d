"""Deterministic generator of a synthetic Claude Code config dir, for the tests and the benchmarks.

    python -m bench.generate OUT_DIR --size-mb 1024 [--max-file-mb 200] [--seed 1]
    python -m bench.generate --self-check

It lives with the tests so that they make their own data on a fresh clone (tests/ is on the import path under
pytest, and bench/__init__.py puts it there for the benchmarks); `bench.generate` is its command line.

The output looks like a real config dir (see the shared reference notes on Claude Code's files):
``projects/<encoded-cwd>/<session>.jsonl`` transcripts, subagent transcripts both as flat ``agent-<hex>.jsonl``
(2.0.x layout) and as ``<session>/subagents/agent-<hex>.jsonl`` (2.1.x layout), and a ``history.jsonl``.
The line shapes copy what Claude Code writes, including the traps an ingester has to get right: one assistant
line per content block with a copy of ``usage`` (partial ``output_tokens`` on the earlier copies), resumed
sessions that copy earlier responses, the ``usage`` summary inside Task results and the ``cost-state`` totals
(both must not be counted again), ``<synthetic>`` error messages, large non-message lines
(``attachment`` / ``api-request-shape``) that a fast ingester should skip cheaply, and ``progress`` lines
(``progress.py``), whose ``agent_progress`` copies of a subagent's responses must not be counted either.

Files are written one at a time through a buffered handle, so memory stays constant whatever the size. A
``bench-manifest.json`` written last at the root records the parameters and the expected token totals
(each response counted once, with its largest ``output_tokens``); its presence marks a complete corpus.

The parts, from the bottom up: ``constants`` (names, models, sizes, odds), ``records`` (parameters, totals, what a
transcript is), ``primitives`` (ids, timestamps, text, the file writer), ``lines`` (a transcript's state and one
line), ``progress`` and ``tools`` (tool calls and what runs meanwhile), ``responses`` (model calls), ``session`` (a
whole transcript), ``generator`` (the whole corpus) and ``corpus`` (the entry points re-exported here).
"""

from synthetic.constants import (
    BRANCHES,
    EPOCH_MS,
    GENERATOR_VERSION,
    KIB,
    MAIN_MODEL_WEIGHTS,
    MAIN_MODELS,
    MANIFEST_NAME,
    MIB,
    NEW_VERSIONS,
    PROJECT_NAMES,
    PROJECT_PARENTS,
    SOURCE_FILES,
    SPAN_MS,
    JsonObj,
)
from synthetic.corpus import (
    appended_assistant_line,
    generate,
    iter_transcripts,
    manifest_matches,
    manifest_path,
    read_manifest,
    tree_digest,
)
from synthetic.generator import Generator
from synthetic.primitives import TextPool, TranscriptFile, encode_cwd, iso, new_token, new_uuid
from synthetic.records import AppendTarget, Params, Stats, Totals
from synthetic.session import Session

__all__ = [
    "BRANCHES",
    "EPOCH_MS",
    "GENERATOR_VERSION",
    "KIB",
    "MAIN_MODELS",
    "MAIN_MODEL_WEIGHTS",
    "MANIFEST_NAME",
    "MIB",
    "NEW_VERSIONS",
    "PROJECT_NAMES",
    "PROJECT_PARENTS",
    "SOURCE_FILES",
    "SPAN_MS",
    "AppendTarget",
    "Generator",
    "JsonObj",
    "Params",
    "Session",
    "Stats",
    "TextPool",
    "Totals",
    "TranscriptFile",
    "appended_assistant_line",
    "encode_cwd",
    "generate",
    "iso",
    "iter_transcripts",
    "manifest_matches",
    "manifest_path",
    "new_token",
    "new_uuid",
    "read_manifest",
    "tree_digest",
]
