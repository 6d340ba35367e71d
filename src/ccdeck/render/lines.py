"""A long table drawn line by line, the way Rich's `Table` draws it (same box, padding, header, title and caption
styles, cut and wrapped cells), without its per-cell measuring and layout: those cost Rich about a millisecond
a row, ten seconds for a 10,000-task run. `FitTable` has already chosen the columns and their widths, so each
cell only has to be cut, wrapped or padded to its width. `tests/render/test_lines.py` checks the output is the
same as Rich's, character for character and style for style.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

    from ccdeck.render.fit import Cell, Column

BOX = box.HEAVY_HEAD  # Rich's default table box


def draw(
    console: Console,
    options: ConsoleOptions,
    columns: Sequence[Column],
    widths: Sequence[int],
    header: bool,
    rows: Sequence[tuple[Sequence[Cell], bool]],
    title: str | None,
    caption: str | None,
) -> Iterator[Segment]:
    """`rows`: each row's cells (of the shown `columns`, each `widths` wide, padding aside) and whether a section
    ends after it."""
    shape = BOX.substitute(options, safe=console.safe_box)
    shape = shape if header else shape.get_plain_headed_box()
    padded = [width + 2 for width in widths]
    table_width = sum(padded) + len(padded) + 1
    new_line = Segment.line()
    draw_cell = _Cells(console)
    if title:
        yield from _annotation(console, options, title, "table.title", table_width)
    yield Segment(shape.get_top(padded))
    yield new_line
    if header:
        bold = console.get_style("table.header")
        cells = [draw_cell.lines(Text(c.header), w, c, bold) for c, w in zip(columns, widths, strict=True)]
        yield from _row(cells, bold, (shape.head_left, shape.head_vertical, shape.head_right) if rows else
                        (shape.foot_left, shape.foot_vertical, shape.foot_right))  # fmt: skip
        yield Segment(shape.get_row(padded, "head"))
        yield new_line
    # As Rich: the first row of the table (the header, else the first row) has the head's edges, the last the
    # foot's, the others the middle's.
    edges = [(shape.head_left, shape.head_vertical, shape.head_right),
             (shape.mid_left, shape.mid_vertical, shape.mid_right),
             (shape.foot_left, shape.foot_vertical, shape.foot_right)]  # fmt: skip
    separator = shape.get_row(padded, "row")
    plain = Style.null()
    for n, (texts, section_ends) in enumerate(rows):
        cells = [draw_cell.lines(t, w, c, plain) for t, c, w in zip(texts, columns, widths, strict=True)]
        yield from _row(cells, plain, edges[0 if n == 0 and not header else 2 if n == len(rows) - 1 else 1])
        if section_ends and n < len(rows) - 1:
            yield Segment(separator)
            yield new_line
    yield Segment(shape.get_bottom(padded))
    yield new_line
    if caption:
        yield from _annotation(console, options, caption, "table.caption", table_width)


def _annotation(console: Console, options: ConsoleOptions, text: str, style: str, width: int) -> Iterator[Segment]:
    """A title or caption, centred over the table (as Rich's `Table.render_annotation`)."""
    rendered = console.render_str(text, style=style, highlight=False)
    yield from console.render(rendered, options.update(width=width, justify="center", highlight=False))


class _Cells:
    """Draws cells, remembering the styled ones: a long table repeats a few (its states) thousands of times."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.known: dict[tuple[object, ...], list[list[Segment]]] = {}

    def lines(self, cell: Cell, width: int, column: Column, style: Style) -> list[list[Segment]]:
        if isinstance(cell, Text) and not cell.spans and not cell.style:
            cell = cell.plain  # the same as a `str`
        if isinstance(cell, str):
            return _cell_lines(self.console, cell, width, column, style)
        key = (cell.plain, cell.style, tuple(cell.spans), width, column.justify, column.wrap, style)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = _cell_lines(self.console, cell, width, column, style)
        return found


def _cell_lines(console: Console, cell: Cell, width: int, column: Column, style: Style) -> list[list[Segment]]:
    """The cell's lines, each `width` wide plus one space of padding each side."""
    if isinstance(cell, str):
        if not style and cell.isprintable() and not cell.endswith(" ") and (length := cell_len(cell)) <= width:
            fill = " " * (width - length)  # the usual cell: plain text on one line that fits
            return [[Segment(f" {fill}{cell} " if column.justify == "right" else f" {cell}{fill} ")]]
        cell = Text(cell)
    plain = cell.plain
    if "\n" not in plain and "\t" not in plain and not plain.endswith(" ") and (length := cell.cell_len) <= width:
        if length < width:  # padded inside the text, as Rich pads it
            cell = cell.copy()
            (cell.pad_left if column.justify == "right" else cell.pad_right)(width - length)
        body = [s if not style else Segment(s.text, style + s.style) for s in _render(console, cell)]
        return [[Segment(" ", style), *body, Segment(" ", style)]]
    wrapped = cell.wrap(console, width, justify=column.justify, overflow="fold" if column.wrap else "ellipsis",
                        no_wrap=not column.wrap)  # fmt: skip
    lines = []
    for line in wrapped:
        segments = list(Segment.apply_style(_render(console, line), style))
        lines.append([Segment(" ", style), *Segment.adjust_line_length(segments, width, style), Segment(" ", style)])
    return lines


def _render(console: Console, text: Text) -> Iterable[Segment]:
    """A line's segments as Rich prints a cell's text: its own style too (Rich joins a cell's lines into one text,
    which makes each line's style a span; `Text.render` alone leaves it out)."""
    return (Text("\n").join([text]) if text.style else text).render(console)


def _row(cells: list[list[list[Segment]]], style: Style, edges: tuple[str, str, str]) -> Iterator[Segment]:
    left, divider, right = edges
    height = max(len(lines) for lines in cells)
    if height > 1:
        blank = [[Segment(" " * Segment.get_line_length(lines[0]), style)] for lines in cells]
    for n in range(height):
        line = [Segment(left)]
        for i, lines in enumerate(cells):
            if i:
                line.append(Segment(divider))
            line += lines[n] if n < len(lines) else blank[i]
        line.append(Segment(right))
        yield from _joined(line)
        yield Segment.line()


def _joined(segments: list[Segment]) -> Iterator[Segment]:
    """Runs of unstyled segments as one: they print the same, and each segment costs the console time."""
    run: list[str] = []
    for segment in segments:
        if segment.style or segment.control:
            if run:
                yield Segment("".join(run))
                run = []
            yield segment
        else:
            run.append(segment.text)
    if run:
        yield Segment("".join(run))
