"""A long table is drawn line by line (`render.lines`) and looks exactly as Rich would draw it: same characters,
same colours, at 80, 100 and 160 columns; with cut and wrapped cells, sections, wide characters, a title, a
caption and the note of hidden columns."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from ccdeck.render.fit import DRAWN_ROWS, Column, FitTable

WIDTHS = (80, 100, 160)
WORDS = [
    "fixed",
    "the",
    "flaky",
    "test",
    "in",
    "the",
    "parser",
    "and",
    "wrote",
    "a",
    "note",
    "about",
    "why",
    "it",
    "failed",
    "on",
    "Tuesdays",
]


def _table(rows: int, *, header: bool = True, title: str | None = "run r1 — finished") -> FitTable:
    columns = [Column("Task"), Column("State"), Column("Time", drop=1, justify="right"),
               Column("Turns", drop=3, justify="right"), Column("Tokens", drop=2, justify="right"),
               Column("Cost", justify="right"), Column("Result", flex=True, min_width=16, wrap=True)]  # fmt: skip
    table = FitTable(columns, title=title, caption="a caption" if rows % 2 else None, show_header=header)
    for n in range(rows):
        result = " ".join(WORDS[: n % len(WORDS)])
        if n % 7 == 3:
            result = Text("\n").join([Text(result), Text(f"{n} permission denial(s): Bash", "yellow")])
        elif n % 11 == 5:
            result = "x" * (n * 3)  # one long word: folded
        elif n % 5 == 2:
            result = Text(result, "dim")  # a style of its own, no spans
        state = Text.assemble(("succeeded" if n % 3 else "running", "green" if n % 3 else "cyan"),
                              " (try 2)" if n % 13 == 0 else "")  # fmt: skip
        task = ("t-漢字" if n % 17 == 0 else "tâche-é" if n % 19 == 0 else f"task-{n:04d}") + ("\nmore" * (n == 9))
        cost = Text(f"${n / 7:,.2f}", "bold") if n % 6 == 1 else f"${n / 7:,.2f}"
        table.add_row(task, state, f"{n * 1.5:.1f}s", str(n % 9), f"{n * 1234:,}", cost, result)
        if n % 25 == 24:
            table.add_section()
    return table


def _as_rich(table: FitTable, width: int) -> str:
    return _print(table.table(width), width)


def _print(thing: object, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system="truecolor", legacy_windows=False)
    console.print(thing)
    return out.getvalue()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("header", [True, False])
def test_a_long_table_is_drawn_as_rich_draws_it(width: int, header: bool) -> None:
    for rows in (DRAWN_ROWS, DRAWN_ROWS + 51):
        table = _table(rows, header=header)
        drawn = _print(table, width)
        assert drawn == _as_rich(table, width)
        assert "\x1b[32msucceeded" in drawn  # colours kept


def test_hidden_columns_are_named_and_a_short_table_stays_rich() -> None:
    table = _table(DRAWN_ROWS + 1, title=None)
    drawn = _print(table, 80)
    assert "Hidden at this width" in drawn and drawn == _as_rich(table, 80)
    small = _table(3)
    assert _print(small, 100) == _as_rich(small, 100)


def test_too_narrow_for_the_essential_columns_is_left_to_rich() -> None:
    table = _table(DRAWN_ROWS)
    assert _print(table, 30) == _as_rich(table, 30)
