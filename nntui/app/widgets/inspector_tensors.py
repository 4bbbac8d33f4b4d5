"""The inspector's tensors: small ones as numbers, large ones as heatmaps.

A thin adapter: :func:`tensor_renderable` turns one :class:`~nntui.inspect.Tensor`
into a Rich renderable (a grid of numbers, or a ``Heatmap`` from :mod:`nntui.viz`), and
:class:`TensorPanel` shows a stage's tensors side by side, wrapping as width allows.
"""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.widgets import Static

from nntui.inspect.explanation import Tensor, f
from nntui.viz import Heatmap, fmt_number

MAX_TABLE_ROWS = 12  # arrays up to this size show every number; larger ones are heatmaps
MAX_TABLE_COLS = 8


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def number_grid(t: Tensor, digits: int = 3) -> Text:
    """A small tensor's numbers with row and column indices, the chosen cell reversed.

    ``matrix_table``'s layout, drawn as plain lines: a Rich ``Table`` costs ~1 ms per
    cell to render here (~40 ms for a 4×8 array), which made the inspector's keys lag.
    """
    m = t.value
    cells = [[fmt_number(v, digits) for v in row] for row in m.tolist()]
    widths = [max(len(str(j)), *(len(r[j]) for r in cells)) for j in range(m.shape[1])]
    label_w = len(str(m.shape[0] - 1))
    out = Text(f"{t.label} {shape_text(t.shape)}\n", style="bold")
    out.append(" " * label_w)
    for j, w in enumerate(widths):
        out.append("  " + str(j).rjust(w), style="dim")
    out.append("\n" + "─" * (label_w + sum(w + 2 for w in widths)) + "\n", style="dim")
    for i, row in enumerate(cells):
        out.append(str(i).rjust(label_w), style="dim")
        for j, (cell, w) in enumerate(zip(row, widths, strict=True)):
            out.append("  ")
            out.append(cell.rjust(w), style="bold reverse" if t.highlight == (i, j) else "")
        out.append("\n")
    if t.note:
        out.append(t.note, style="dim")
    return out


def tensor_renderable(t: Tensor, width: int | None = None) -> RenderableType:
    """One tensor: its numbers when it is small (and they fit ``width`` columns), a
    heatmap otherwise."""
    rows, cols = t.value.shape
    if rows <= MAX_TABLE_ROWS and cols <= MAX_TABLE_COLS:
        grid = number_grid(t)
        if width is None or max(map(len, grid.plain.splitlines())) <= width:
            return grid
    cmap = "diverging" if t.signed else "viridis"
    parts: list[RenderableType] = [
        Heatmap(t.value, cmap=cmap, title=f"{t.label} {shape_text(t.shape)}")
    ]
    if t.highlight is not None:
        r, c = t.highlight
        parts.append(Text(f"▸ [{r},{c}] = {f(t.value[r, c])}", style="bold"))
    if t.note:
        parts.append(Text(t.note, style="dim"))
    return Group(*parts)


class Prerendered:
    """Renders ``inner`` once per width and replays the lines.

    Textual renders a widget's content to learn its height and again to draw it, and a
    ``Columns`` of tables re-renders each table to measure it: caching the lines keeps a
    key press in the inspector to one render.
    """

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner
        self._lines: dict[int, list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = self._lines.get(width)
        if lines is None:
            lines = console.render_lines(self.inner, options.update(height=None), pad=False)
            self._lines[width] = lines
        for line in lines:
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)


class Flow:
    """Renderables side by side, wrapping to a new row when the width runs out.

    Each item is rendered once at its natural width (Rich's ``Columns`` renders every
    table several times to measure it, which made each key press slow).
    """

    def __init__(self, items: list[RenderableType], gap: int = 2) -> None:
        self.items, self.gap = items, gap

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        blocks = []
        for item in self.items:
            w = min(Measurement.get(console, options, item).maximum, width)
            lines = console.render_lines(item, options.update(width=w, height=None), pad=True)
            blocks.append((w, lines))
        row: list[tuple[int, list[list[Segment]]]] = []
        used = 0
        for w, lines in blocks:
            if row and used + self.gap + w > width:
                yield from self._row(row)
                row, used = [], 0
            used += (self.gap if row else 0) + w
            row.append((w, lines))
        if row:
            yield from self._row(row)

    def _row(self, row: list[tuple[int, list[list[Segment]]]]) -> RenderResult:
        height = max(len(lines) for _, lines in row)
        gap = Segment(" " * self.gap)
        for k in range(height):
            for n, (w, lines) in enumerate(row):
                if n:
                    yield gap
                yield from lines[k] if k < len(lines) else [Segment(" " * w)]
            yield Segment.line()


class TensorPanel(Static):
    """A stage's tensors, in reading order."""

    DEFAULT_CSS = """
    TensorPanel { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tensors: list[Tensor] = []

    def show(self, tensors: list[Tensor]) -> None:
        self.tensors = tensors
        width = self.content_size.width or None  # a table of numbers wider: a heatmap
        self._shown_width = width
        self.update(Prerendered(Flow([tensor_renderable(t, width) for t in tensors])))

    def on_resize(self) -> None:
        if self.content_size.width != getattr(self, "_shown_width", None):
            self.show(self.tensors)

    @property
    def plain(self) -> str:
        """The panel as plain text (tests read the numbers on screen here)."""
        return render_plain(self.content, max(self.size.width, 80))



def render_plain(renderable: object, width: int) -> str:
    """A renderable as plain text at ``width`` columns."""
    if isinstance(renderable, Prerendered):
        renderable = renderable.inner
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text()
