"""Tests reach ../shared only through tests/shared_data.py, so a fresh clone's tests make their own data."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# A path literal naming the folder: "shared", "../shared", "../shared/corpus", '..' / 'shared'.
SHARED_LITERAL = re.compile(r"""["'](?:\.\./)*shared(?:/[^"']*)?["']""")


def test_only_the_helper_names_the_shared_folder() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in ("shared_data.py", "test_shared_data.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SHARED_LITERAL.search(line)
    ]
    assert offenders == [], "read ../shared through shared_data.require_shared()"


def test_the_pattern_sees_every_spelling() -> None:
    for text in ('/ ".." / "shared" / "corpus"', "parent / 'shared'", '"../shared/corpus"', '"shared/reference"'):
        assert SHARED_LITERAL.search(text), text
    for text in ('"shared by the core suites"', "pytest_plugins", '"shared_data"'):
        assert not SHARED_LITERAL.search(text), text
