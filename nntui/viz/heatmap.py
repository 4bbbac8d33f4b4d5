"""Heatmaps with a colour-bar legend: LSTM gates over time, attention, confusion matrices.

Two layouts:

* ``"half"``: one column and two matrix rows per cell (half blocks), the densest view,
  for gate values (units × time steps) or large attention maps.
* ``"cell"``: every matrix entry is a block ``cell_width`` characters wide, with row and
  column labels and optionally the numbers printed inside (confusion matrices).

Example:
    >>> Heatmap(np.eye(3), col_labels=["a", "b", "c"], show_values=True)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table

from nntui.numeric import fmt_number
from nntui.viz.colors import (
    CmapLike,
    Colormap,
    contrast_packed,
    get_cmap,
    pack_rgb,
    resolve_limits,
    rgb_style,
)
from nntui.viz.image import half_block_lines, yield_lines
from nntui.viz.text import as_matrix

TITLE_STYLE = Style(bold=True)
LABEL_STYLE = Style(dim=True)


def legend_line(cmap: Colormap, vmin: float, vmax: float, width: int = 16) -> list[Segment]:
    """A colour bar: ``"<vmin> ██████ <vmax>"``, ``width`` coloured cells between.

    Cell ``i`` shows the colour at ``vmin + (i + 0.5) / width · (vmax - vmin)``.
    """
    width = max(2, width)
    t = (np.arange(width) + 0.5) / width  # (width,) cell centres in [0, 1]
    packed = pack_rgb(cmap.map(vmin + t * (vmax - vmin), vmin, vmax)).tolist()
    return [
        Segment(fmt_number(vmin) + " ", LABEL_STYLE),
        *(Segment(" ", rgb_style(None, p)) for p in packed),
        Segment(" " + fmt_number(vmax), LABEL_STYLE),
    ]


def _line_width(line: list[Segment]) -> int:
    return sum(seg.cell_length for seg in line)


class Heatmap:
    """A matrix drawn in colour with labels and a min/max legend.

    Args:
        matrix: ``(R, C)`` values (a vector is one row).
        cmap: Colour map; use ``"diverging"`` for signed values.
        vmin: Value of the first colour; default the data minimum (``-max|x|`` for a
            diverging map).
        vmax: Value of the last colour; default the data maximum.
        row_labels: One label per row (``"cell"`` layout only).
        col_labels: One label per column, truncated to the cell width (``"cell"`` only).
        title: Bold line above the map.
        legend: Draw the colour bar with the min and max values below the map.
        show_values: Print each number inside its cell (``"cell"`` layout), in black or
            white, whichever reads better on the cell's colour.
        cell_width: Characters per entry in the ``"cell"`` layout; default 2 (a square),
            or the widest number plus one when values are shown.
        mode: ``"half"``, ``"cell"``, or ``"auto"``: ``"cell"`` when there are labels or
            values to show, else ``"half"``. The ``"half"`` layout samples columns
            evenly when the matrix is wider than the space.
    """

    def __init__(
        self,
        matrix: np.ndarray,
        cmap: CmapLike = "viridis",
        vmin: float | None = None,
        vmax: float | None = None,
        row_labels: Sequence[str] | None = None,
        col_labels: Sequence[str] | None = None,
        title: str | None = None,
        legend: bool = True,
        *,
        show_values: bool = False,
        cell_width: int | None = None,
        mode: Literal["auto", "half", "cell"] = "auto",
    ) -> None:
        self.matrix = as_matrix(matrix)
        self.cmap = get_cmap(cmap)
        self.vmin, self.vmax = resolve_limits(
            self.matrix, vmin, vmax, diverging=self.cmap.diverging
        )
        self.row_labels = [str(x) for x in row_labels] if row_labels is not None else None
        self.col_labels = [str(x) for x in col_labels] if col_labels is not None else None
        self.title = title
        self.legend = legend
        self.show_values = show_values
        if mode == "auto":
            labelled = row_labels is not None or col_labels is not None
            mode = "cell" if labelled or show_values else "half"
        self.mode = mode
        self.texts: list[list[str]] = []
        if show_values:
            is_int = np.issubdtype(self.matrix.dtype, np.integer)
            self.texts = [
                [fmt_number(int(v)) if is_int else fmt_number(v, 2) for v in row]
                for row in self.matrix.tolist()
            ]
        widest = max((len(t) for row in self.texts for t in row), default=0)
        self.cell_width = cell_width or (max(3, widest + 1) if show_values else 2)
        self._cache: dict[int, list[list[Segment]]] = {}

    def _label_indent(self) -> int:
        width = max((len(r) for r in self.row_labels or []), default=0)
        return width + 1 if width else 0

    def body_width(self, max_width: int) -> int:
        """Width of the map itself (labels included, legend and title not)."""
        if self.mode == "half":
            return min(self.matrix.shape[1], max(1, max_width))
        return self._label_indent() + self.matrix.shape[1] * self.cell_width

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines) for ``max_width`` cells; cached."""
        cached = self._cache.get(max_width)
        if cached is not None:
            return cached
        body = self._half_body(max_width) if self.mode == "half" else self._cell_body()
        lines: list[list[Segment]] = []
        if self.title:
            lines.append([Segment(self.title, TITLE_STYLE)])
        lines.extend(body)
        if self.legend:
            labels = len(fmt_number(self.vmin)) + len(fmt_number(self.vmax)) + 2
            bar = min(24, max(6, self.body_width(max_width) - labels))
            lines.append(legend_line(self.cmap, self.vmin, self.vmax, bar))
        self._cache[max_width] = lines
        return lines

    def _half_body(self, max_width: int) -> list[list[Segment]]:
        m = self.matrix
        if m.shape[1] > max_width:
            keep = np.linspace(0, m.shape[1] - 1, max(1, max_width)).round().astype(int)
            m = m[:, keep]  # (R, max_width) evenly sampled columns
        return half_block_lines(self.cmap.map(m, self.vmin, self.vmax))

    def _cell_body(self) -> list[list[Segment]]:
        m, cw = self.matrix, self.cell_width
        rows = self.row_labels or []
        indent = self._label_indent()
        label_width = indent - 1
        lines: list[list[Segment]] = []
        if self.col_labels:
            header = "".join(label[:cw].center(cw) for label in self.col_labels)
            lines.append([Segment(" " * indent + header, LABEL_STYLE)])
        rgb = self.cmap.map(m, self.vmin, self.vmax)  # (R, C, 3)
        bg = pack_rgb(rgb).tolist()
        fg = contrast_packed(rgb).tolist()
        blank = " " * cw
        for i, row in enumerate(m.tolist()):
            line: list[Segment] = []
            if indent:
                label = rows[i] if i < len(rows) else ""
                line.append(Segment(label.rjust(label_width) + " ", LABEL_STYLE))
            for j in range(len(row)):
                if self.show_values:
                    text = self.texts[i][j][: cw - 1].rjust(cw - 1) + " "
                    line.append(Segment(text, rgb_style(fg[i][j], bg[i][j])))
                else:
                    line.append(Segment(blank, rgb_style(None, bg[i][j])))
            lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = max(_line_width(line) for line in self.lines(options.max_width))
        return Measurement(min(width, options.max_width), min(width, options.max_width))


def head_maps(attention: np.ndarray, labels: list[str], width: int) -> Table:
    """One heatmap per attention head (``attention``: (H, T, T), rows attend to columns),
    as many side by side as ``width`` holds, the legend on the first."""
    maps = [Heatmap(attention[h], "viridis", vmin=0.0, vmax=1.0, row_labels=labels,
                    col_labels=labels, title=f"head {h + 1}", legend=h == 0)
            for h in range(attention.shape[0])]
    cols = max(1, width // (maps[0].body_width(width) + 2))
    grid = Table.grid(padding=(0, 2))
    for start in range(0, len(maps), cols):
        grid.add_row(*maps[start:start + cols])
    return grid
