"""The command line of the synthetic corpus generator (tests/synthetic.py), kept at its documented name.

python -m bench.generate OUT_DIR --size-mb 1024 [--max-file-mb 200] [--seed 1]
python -m bench.generate --self-check
"""

from synthetic import main

if __name__ == "__main__":
    raise SystemExit(main())
