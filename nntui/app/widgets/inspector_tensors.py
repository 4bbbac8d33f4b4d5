"""The inspector's tensors: small ones as numbers, large ones as heatmaps.

A thin adapter: :func:`tensor_renderable` turns one :class:`~nntui.inspect.Tensor`
into a Rich renderable (``matrix_table`` or ``Heatmap`` from :mod:`nntui.viz`), and
:class:`TensorPanel` shows a stage's tensors side by side, wrapping as width allows.
"""

from __future__ import annotations

import io

from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.text import Text
from textual.widgets import Static

from nntui.inspect.explanation import Tensor, f
from nntui.viz import Heatmap, matrix_table

MAX_TABLE_ROWS = 12  # arrays up to this size show every number; larger ones are heatmaps
MAX_TABLE_COLS = 8


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def tensor_renderable(t: Tensor) -> RenderableType:
    """One tensor: a table of numbers when it is small, a heatmap otherwise."""
    rows, cols = t.value.shape
    title = f"{t.label} {shape_text(t.shape)}"
    caption = t.note
    if rows <= MAX_TABLE_ROWS and cols <= MAX_TABLE_COLS:
        table = matrix_table(
            t.value,
            max_rows=MAX_TABLE_ROWS,
            max_cols=MAX_TABLE_COLS,
            highlight=t.highlight,
            title=title,
            digits=3,
        )
        if caption:
            table.caption = f"{caption} · {table.caption}"
        return table
    cmap = "diverging" if t.signed else "viridis"
    parts: list[RenderableType] = [Heatmap(t.value, cmap=cmap, title=title)]
    if t.highlight is not None:
        r, c = t.highlight
        parts.append(Text(f"▸ [{r},{c}] = {f(t.value[r, c])}", style="bold"))
    if caption:
        parts.append(Text(caption, style="dim"))
    return Group(*parts)


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
        self.update(Columns([tensor_renderable(t) for t in tensors], padding=(0, 2)))

    @property
    def plain(self) -> str:
        """The panel as plain text (tests read the numbers on screen here)."""
        return render_plain(self.content, max(self.size.width, 80))


def render_plain(renderable: object, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text()
