"""Benchmarks for ccdeck: the measurement scripts (see bench/README.md).

The synthetic corpus generator (`synthetic`) and the fake Messages API (`fakeapi`) live with the tests, which
make their own data with them; they are imported from there, as pytest does.
"""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
