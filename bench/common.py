"""What every benchmark shares besides measuring and reporting: the paths, a clean environment for the commands
it runs, the page cache, the store's files and the sections of RESULTS.md."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Mapping
from pathlib import Path

MIB = 1 << 20
REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
OUT_DIR = BENCH_DIR / "out"  # gitignored scratch space: corpora, databases, isolated HOME
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
VENV_BIN = REPO_ROOT / ".venv" / "bin"

RESULTS_HEADER = """# Benchmark results

Written by the scripts in `bench/` (see `bench/README.md`). Each section is replaced when its benchmark runs
again with the same parameters; figures are only comparable on the same machine.
"""


def isolated_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment with its own empty HOME.

    Tools that look in HOME for data (ccusage reads every agent CLI it knows: ~/.codex, ~/.gemini, ...) then
    see only the benchmark corpus, and nothing the benchmark runs can read or write the user's real files.
    """
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "NO_COLOR": "1",
    }
    env.update(extra or {})
    return env


def warm_page_cache(root: Path) -> int:
    """Read every file under root once, so no measured tool pays for the first read from disk.

    Returns the bytes read. Uses one reusable buffer: constant memory whatever the corpus size.
    """
    buffer = bytearray(MIB)
    total = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        with path.open("rb", buffering=0) as fh:
            while count := fh.readinto(buffer):
                total += count
    return total


def remove_db(db: Path) -> None:
    """The database and the files SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def store_mib(db: Path) -> float:
    paths = (db.with_name(db.name + suffix) for suffix in ("", "-wal"))
    return sum(p.stat().st_size for p in paths if p.exists()) / MIB


def ccdeck_version() -> str:
    try:
        return importlib.metadata.version("ccdeck")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key}:begin -->", f"<!-- bench:{key}:end -->"


def update_results_section(key: str, body: str, path: Path = RESULTS_FILE) -> None:
    """Replace the section ``key`` of the results file with ``body``, or append it; other sections stay."""
    begin, end = _markers(key)
    section = f"{begin}\n{body.strip()}\n{end}\n"
    text = path.read_text() if path.exists() else RESULTS_HEADER
    start = text.find(begin)
    stop = text.find(end, start)
    if start >= 0 and stop >= 0:
        rest = text[stop + len(end) :].lstrip("\n")
        text = text[:start] + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def publish(key: str, body: str, write: bool) -> None:
    """Print a benchmark's section, and write it to RESULTS.md unless told not to (``--no-results``)."""
    print(body)
    if write:
        update_results_section(key, body)
