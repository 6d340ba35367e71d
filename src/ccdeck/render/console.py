"""The console every command prints its tables to."""

from __future__ import annotations

import os
import sys

from rich.console import Console

PIPED_WIDTH = 200


def stdout_console() -> Console:
    """The terminal's width on a terminal. Piped output is not cut to 80 columns (numbers must stay whole for
    whoever reads them) but laid out `PIPED_WIDTH` wide, unless `COLUMNS` says how wide."""
    told = os.environ.get("COLUMNS", "").isdigit()
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() or told else PIPED_WIDTH)
