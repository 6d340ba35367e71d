"""Tables that fit the terminal: when a table is too wide, its least important columns go first, whole, instead of
every cell being cut; one flexible column (a title, what a session is doing) takes the width that is left and is cut
with `…` (or wrapped). The width is the console's at the moment the table is printed, so a table handed to `Live`
fits the terminal it is redrawn in.

    table = FitTable([Column("State"), Column("Title", flex=True), Column("Files", drop=3, justify="right")])
    table.add_row(Text("working", "green"), "Fix the tests", "3")
    console.print(table)

A `str` cell is plain text (never markup: titles and paths come from users); style a cell with a `Text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.control import strip_control_codes
from rich.measure import Measurement
from rich.style import StyleType
from rich.table import Table
from rich.text import Text

from ccdeck.render import lines

Cell = str | Text
PADDING = 2  # one space each side of a cell
BORDER = 1  # one rule between two columns, and one at each edge
# From this many rows on, a table is drawn line by line (`lines`), the same as Rich draws it but without its
# per-cell layout (a millisecond a row); smaller ones are Rich's own.
DRAWN_ROWS = 100


@dataclass(frozen=True)
class Column:
    """`drop`: 0 is always shown; when the table is too wide the highest `drop` goes first (of equals, the rightmost).
    `flex`: the one column that takes what is left, at least `min_width` (default: its header) or its widest
    cell if narrower; its cells are cut with `…`, or folded onto more lines with `wrap`."""

    header: str
    drop: int = 0
    justify: JustifyMethod = "left"
    flex: bool = False
    min_width: int = 0
    wrap: bool = False


@dataclass
class _Row:
    cells: tuple[Cell, ...]  # a `str` stays one until Rich needs a `Text` (most cells of a long table never do)
    style: StyleType | None
    end_section: bool = False


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def _width(cell: Cell) -> int:
    text = strip_control_codes(cell) if isinstance(cell, str) else cell.plain  # as `Text(cell)` would hold it
    if "\n" not in text:
        return cell_len(text)
    return max(cell_len(line) for line in text.split("\n"))


@dataclass
class Fitted:
    """Which columns are shown, and how wide each one is (its content, without padding)."""

    shown: list[int]
    widths: dict[int, int]
    hidden: list[str] = field(default_factory=list)


class FitTable:
    """Rows of cells under `columns`, rendered as a Rich `Table` as wide as the console allows (drawn line by line
    from `drawn_rows` rows on)."""

    def __init__(self, columns: Sequence[Column], *, title: str | None = None, caption: str | None = None,
                 expand: bool = False, note_hidden: bool = True, show_header: bool = True,
                 drawn_rows: int = DRAWN_ROWS) -> None:  # fmt: skip
        assert sum(c.flex for c in columns) <= 1, "one flexible column at most"
        self.columns = list(columns)
        self.title, self.caption, self.expand, self.note_hidden = title, caption, expand, note_hidden
        self.show_header, self.drawn_rows = show_header, drawn_rows
        self.rows: list[_Row] = []

    def add_row(self, *cells: Cell, style: StyleType | None = None) -> None:
        assert len(cells) == len(self.columns), (len(cells), len(self.columns))
        self.rows.append(_Row(cells, style))

    def add_section(self) -> None:
        if self.rows:
            self.rows[-1].end_section = True

    def fit(self, width: int) -> Fitted:
        """Drop columns, least important first, until the rest fit `width`; then size the flexible one."""
        natural = [max([_width(c.header), *(_width(r.cells[i]) for r in self.rows)])
                   for i, c in enumerate(self.columns)]  # fmt: skip
        need = [min(natural[i], max(c.min_width, len(c.header))) if c.flex else natural[i]
                for i, c in enumerate(self.columns)]  # fmt: skip
        shown = list(range(len(self.columns)))

        def total(indices: list[int]) -> int:
            return sum(need[i] + PADDING + BORDER for i in indices) + BORDER

        while total(shown) > width:
            droppable = [i for i in shown if self.columns[i].drop > 0]
            if not droppable:
                break  # what is left is all essential: Rich shares the width out
            shown.remove(max(droppable, key=lambda i: (self.columns[i].drop, i)))
        widths = {i: natural[i] for i in shown}
        for i in shown:
            if self.columns[i].flex:
                room = width - total(shown) + need[i]
                widths[i] = max(need[i], room if self.expand else min(natural[i], room))
        hidden = [c.header for i, c in enumerate(self.columns) if i not in shown]
        return Fitted(shown, widths, hidden)

    def _caption(self, fitted: Fitted) -> str | None:
        if not (fitted.hidden and self.note_hidden):
            return self.caption
        note = f"Hidden at this width: {', '.join(fitted.hidden)}."
        return f"{self.caption}\n{note}" if self.caption else note

    def table(self, width: int) -> Table:
        """The Rich table for a console `width` columns wide."""
        fitted = self.fit(width)
        table = Table(title=self.title, caption=self._caption(fitted), expand=False, show_header=self.show_header)
        for i in fitted.shown:
            column = self.columns[i]
            table.add_column(column.header, justify=column.justify, width=fitted.widths[i], no_wrap=not column.wrap,
                             overflow="fold" if column.wrap else "ellipsis")  # fmt: skip
        for row in self.rows:
            table.add_row(*(_text(row.cells[i]) for i in fitted.shown), style=row.style, end_section=row.end_section)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if len(self.rows) < self.drawn_rows or any(row.style is not None for row in self.rows):
            yield self.table(options.max_width)
            return
        fitted = self.fit(options.max_width)
        widths = [fitted.widths[i] for i in fitted.shown]
        if sum(w + PADDING + BORDER for w in widths) + BORDER > options.max_width:
            yield self.table(options.max_width)  # too wide even so: Rich shares the width out
            return
        rows = [(tuple(row.cells[i] for i in fitted.shown), row.end_section) for row in self.rows]
        columns = [self.columns[i] for i in fitted.shown]
        yield from lines.draw(console, options, columns, widths, self.show_header, rows, self.title,
                              self._caption(fitted))  # fmt: skip

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table(options.max_width))
