"""What the table tests check at each width: no line wider than the terminal, every header whole, no cell cut on a
wide terminal; and a renderable drawn to plain text."""

from __future__ import annotations

import os
import re
from pathlib import Path

from rich.console import Console, RenderableType

WIDTHS = (80, 100, 160)
CUT = re.compile(r"…(?!/)")  # an ellipsis that ends a cut cell (`…/dev/app` is a shortened project, not a cut)
# The totals line of `ccdeck watch`, for the screens drawn in the tests.
WATCH_SUMMARY = {"today": {"totalTokens": 1_234_567, "costUSD": 4.5}, "active": {"working": 2, "waiting": 0, "idle": 0}}


def lines_of(text: str) -> list[str]:
    return text.rstrip("\n").splitlines()


def check_fits(text: str, width: int, headers: tuple[str, ...]) -> str:
    """No line wider than the terminal; every header whole; at 160 columns no cell cut."""
    assert max(len(line) for line in lines_of(text)) <= width, text
    header = next(line for line in lines_of(text) if "┃" in line)
    for name in headers:
        assert f" {name} " in header, (name, header)
    if width >= 160:
        assert not CUT.search(text), text
    return text


def render_text(thing: RenderableType, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, file=Path(os.devnull).open("w"))  # noqa: SIM115
    console.print(thing)
    return console.export_text()
