"""The command line of the synthetic corpus generator (tests/synthetic/, checked by tests/synthetic_check.py).

python -m bench.generate OUT_DIR --size-mb 1024 [--max-file-mb 200] [--seed 1] [--force]
python -m bench.generate --self-check
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import synthetic
import synthetic_check


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=synthetic.__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="config dir to create (must be absent or empty)")
    parser.add_argument("--size-mb", type=float, default=1024.0, help="total transcript size in MiB")
    parser.add_argument("--max-file-mb", type=float, default=200.0, help="size of the largest transcript, MiB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="delete OUT_DIR first if it exists")
    parser.add_argument("--self-check", action="store_true", help="run self_check() in a temporary dir")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.self_check:
        with tempfile.TemporaryDirectory(prefix="bench-selfcheck-") as tmp:
            problems = synthetic_check.self_check(Path(tmp))
        print("\n".join(problems) or "self-check passed")
        return 1 if problems else 0
    if args.out_dir is None:
        print("OUT_DIR is required (or --self-check)", file=sys.stderr)
        return 2
    if args.force and args.out_dir.exists():
        shutil.rmtree(args.out_dir)
    manifest = synthetic.generate(args.out_dir, synthetic.Params(args.size_mb, args.max_file_mb, args.seed))
    stats = manifest["stats"]
    print(
        f"{stats['files']} files, {stats['jsonl_bytes'] / synthetic.MIB:.1f} MiB, {stats['lines']} lines, "
        f"{manifest['expected']['responses']} responses in {manifest['generationSeconds']} s "
        f"({manifest['generationMBps']} MiB/s) -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
