"""Tables that fit the terminal (`render.fit`): the least important columns go first, the flexible one takes the
rest."""

from __future__ import annotations

from ccdeck.render.fit import Column, FitTable
from render.table_checks import lines_of, render_text


def _demo() -> FitTable:
    table = FitTable([Column("State"), Column("Title", flex=True, min_width=10), Column("Files", drop=2),
                      Column("Branch", drop=3), Column("Cost", justify="right")])  # fmt: skip
    table.add_row("working", "Make the test suite pass on Python 3.13 and 3.14", "12", "feat/very-long-branch", "$1.76")
    return table


def test_the_least_important_columns_go_first_and_the_flexible_one_takes_the_rest() -> None:
    wide = render_text(_demo(), 160)
    assert "feat/very-long-branch" in wide and "3.13 and 3.14" in wide and "Hidden" not in wide
    narrow = render_text(_demo(), 50)
    assert "Branch" not in narrow.splitlines()[1] and "Files" in narrow and "$1.76" in narrow
    assert "Hidden at this width: Branch." in narrow
    assert "Make the test suite…" in narrow  # cut once, with …, not every cell
    assert max(len(line) for line in lines_of(narrow)) <= 50
    assert "Make the …" in render_text(_demo(), 40)  # the flexible column down to its least width
    tight = render_text(_demo(), 36)
    assert "Files" not in tight.splitlines()[1] and "$1.76" in tight and "working" in tight
