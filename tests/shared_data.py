"""The one way tests reach `../shared`, the reference material beside the repository (real transcripts in
`corpus/`, ccusage's figures in `corpus/SOURCES.md`, the real CLI's outputs in `reference/samples/`).

CI has it; a fresh clone does not. Tests make their own data (tests/synthetic/, the real CLI against the fake
API); only the checks that compare with the reference itself use this module, and they skip, with the reason,
when it is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def missing_reason(path: Path) -> str:
    return f"reference data {path} is absent (a clone without ../shared beside it)"


def shared_path(*parts: str) -> Path | None:
    """`../shared/<parts>` when it exists, else None (for collection time, where nothing may skip yet)."""
    path = SHARED.joinpath(*parts)
    return path if path.exists() else None


def require_shared(*parts: str) -> Path:
    """`../shared/<parts>`; skips the calling test, with the reason, when it is absent."""
    path = shared_path(*parts)
    if path is None:
        pytest.skip(missing_reason(SHARED.joinpath(*parts)))
    return path


def shared_params(values: Callable[[Path], Sequence[Any]], *parts: str) -> list[Any]:
    """Parameters made from `../shared/<parts>`; one skipped parameter, with the reason, when it is absent."""
    path = shared_path(*parts)
    if path is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=missing_reason(SHARED.joinpath(*parts))))]
    return list(values(path))
