"""The synthetic corpus the benchmarks measure on: its flags, its folder in bench/out/, generated once and reused,
and the line that describes it in a results section."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import synthetic
from bench.common import MIB, OUT_DIR

JsonObj = dict[str, Any]


def add_corpus_args(parser: argparse.ArgumentParser, keep: str) -> None:
    """--size-mb, --max-file-mb, --seed and --keep (whose help says what it keeps)."""
    parser.add_argument("--size-mb", type=float, default=1024.0, help="corpus size in MiB (default 1024)")
    parser.add_argument("--max-file-mb", type=float, default=200.0, help="largest transcript, MiB (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help=keep)


def params_of(args: argparse.Namespace) -> synthetic.Params:
    return synthetic.Params(args.size_mb, args.max_file_mb, args.seed)


def corpus_dir(params: synthetic.Params, prefix: str = "corpus") -> Path:
    return OUT_DIR / f"{prefix}-{params.size_mb:g}mb-max{params.max_file_mb:g}-seed{params.seed}"


def ensure_corpus(params: synthetic.Params, prefix: str = "corpus") -> tuple[Path, JsonObj, bool]:
    """Return (corpus, manifest, generated_now); regenerate unless a complete matching corpus is there."""
    out = corpus_dir(params, prefix)
    manifest = synthetic.read_manifest(out)
    if synthetic.manifest_matches(manifest, params) and manifest is not None:
        return out, manifest, False
    if out.exists():
        shutil.rmtree(out)
    print(f"generating {params.size_mb:g} MiB corpus into {out} ...", flush=True)
    return out, synthetic.generate(out, params), True


def append_target(manifest: JsonObj) -> synthetic.AppendTarget:
    """The mid-size session the generator chose for appending one line to."""
    return synthetic.AppendTarget(**manifest["appendTarget"])


def corpus_line(manifest: JsonObj, generated: bool) -> str:
    stats, expected = manifest["stats"], manifest["expected"]
    agents = stats["nested_agent_files"] + stats["flat_agent_files"]
    made = (
        f"generated in {manifest['generationSeconds']} s ({manifest['generationMBps']} MiB/s)"
        if generated
        else f"reused (generation took {manifest['generationSeconds']} s)"
    )
    return (
        f"Corpus: {stats['files']} transcripts ({agents} subagent files), "
        f"{stats['jsonl_bytes'] / MIB:,.1f} MiB, {stats['lines']:,} lines, {expected['responses']:,} responses, "
        f"largest file {stats['largest_file_bytes'] / MIB:,.1f} MiB; {made}."
    )
