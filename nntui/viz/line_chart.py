"""``LineChart``: named (x, y) series as quadrant-block lines with a y axis, legend, x ticks.

Why not plotext here: the dashboard redraws its curves twice a second while the
trainer shares the GIL with the UI thread, and a plotext build of two 80×20 plots
took 20–60 ms, all of it taken from training. This draws the same picture with a
few NumPy operations over the dot grid: about a millisecond for an 80×20 chart.

Each cell is a quadrant block (2 × 2 dots: ``▘▝▖▗▀▄▌▐▚▞▛▜▙▟█``, plotext's "hd"
marker). Braille would give 2 × 4 dots, but SVG screenshots draw Braille from a
fallback font of another width, which shifts everything right of a plot.

A series is rasterised column by column: its y is interpolated at every dot column,
and each column fills the dots between its y and its neighbours', so steep stretches
stay connected. A cell's colour is that of the first series with a dot in it
(training over validation: the validation line has a point per epoch only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

from nntui.viz.colors import class_color

Series = tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]
# dot (row, col) inside a cell -> its bit; QUADRANTS[bits] is the cell's character
DOT_BITS = np.array([[1, 2], [4, 8]], np.uint16)
QUADRANTS = np.array(list(" ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"))
ROWS, COLS = DOT_BITS.shape  # dots per cell
AXIS_STYLE = Style(dim=True)
TITLE_STYLE = Style(bold=True)
LINE_STYLES = [Style(color=class_color(i)) for i in range(12)]


def _label(v: float) -> str:
    return f"{v:.3g}"


def _xlabel(v: float) -> str:
    """Steps as whole numbers (``12000``, not ``1.2e+04``)."""
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e9 else _label(v)


def _finite(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    n = min(xa.size, ya.size)
    keep = np.isfinite(xa[:n]) & np.isfinite(ya[:n])
    return xa[:n][keep], ya[:n][keep]


def dots(x: np.ndarray, y: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float],
         cols: int, rows: int) -> np.ndarray:
    """``(rows, cols)`` booleans: the dots a line through the points covers (row 0 on top).

    ``x`` must be increasing. A single point is one dot.
    """
    out = np.zeros((rows, cols), bool)
    if x.size == 0:
        return out
    (x0, x1), (y0, y1) = xlim, ylim
    px = (x - x0) / (x1 - x0) * (cols - 1)
    py = (y1 - y) / (y1 - y0) * (rows - 1)  # row 0 is the top
    if x.size == 1:
        out[int(round(py[0])), int(round(px[0]))] = True
        return out
    first, last = int(np.ceil(px[0])), int(np.floor(px[-1]))
    if last < first:  # all points inside one dot column
        col = int(round(px[0]))
        out[int(round(py.min())):int(round(py.max())) + 1, col] = True
        return out
    c = np.arange(first, last + 1)
    yc: np.ndarray = np.asarray(np.interp(c, px, py))
    # each column spans from its own y to halfway to its neighbours' (a connected line)
    prev = np.concatenate([yc[:1], yc[:-1]])
    nxt = np.concatenate([yc[1:], yc[-1:]])
    lo = np.minimum(yc, np.minimum(prev, nxt) * 0.5 + yc * 0.5)
    hi = np.maximum(yc, np.maximum(prev, nxt) * 0.5 + yc * 0.5)
    lo_i = np.clip(np.round(lo), 0, rows - 1).astype(np.intp)
    hi_i = np.clip(np.round(hi), 0, rows - 1).astype(np.intp)
    r = np.arange(rows)[:, None]
    out[:, c] = (r >= lo_i) & (r <= hi_i)
    return out


def cells(mask: np.ndarray) -> np.ndarray:
    """``(ROWS·h, COLS·w)`` dots -> ``(h, w)`` bit patterns (indices into QUADRANTS)."""
    h, w = mask.shape[0] // ROWS, mask.shape[1] // COLS
    blocks = mask[: ROWS * h, : COLS * w].reshape(h, ROWS, w, COLS)
    return (blocks * DOT_BITS[None, :, None, :]).sum(axis=(1, 3)).astype(np.uint16)


class LineChart:
    """A Rich renderable: ``series`` as coloured lines in ``width × height`` cells.

    Args:
        series: ``{name: (x, y)}``; NaN/inf points are left out; x increasing.
        width: cells, the y-axis labels included.
        height: lines, the title/legend line and the x-axis line included.
        title: shown before the legend on the first line.
    """

    def __init__(self, series: Mapping[str, Series], width: int = 80, height: int = 20,
                 title: str = "") -> None:
        self.series = {k: _finite(x, y) for k, (x, y) in series.items()}
        self.width, self.height, self.title = width, height, title

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines():
            yield from line
            yield Segment.line()

    def limits(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        xs = [x for x, _ in self.series.values() if x.size]
        ys = [y for _, y in self.series.values() if y.size]
        if not xs:
            return None
        x0, x1 = min(float(x[0]) for x in xs), max(float(x[-1]) for x in xs)
        y0, y1 = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
        if x1 <= x0:
            x0, x1 = x0 - 0.5, x1 + 0.5
        if y1 <= y0:
            y0, y1 = y0 - 0.5, y1 + 0.5
        return (x0, x1), (y0, y1)

    def lines(self) -> list[list[Segment]]:
        """``height`` lines of exactly ``width`` cells (Segments, no newlines): the
        title and legend, the plot rows, the x axis. Plain segments, not a ``Text``:
        Rich would measure, wrap and crop a Text again on every redraw."""
        head = [Segment(self.title, TITLE_STYLE)]
        for i, name in enumerate(self.series):
            head += [Segment("  "), Segment("━━ ", LINE_STYLES[i % len(LINE_STYLES)]),
                     Segment(name)]
        out = [head]
        limits = self.limits()
        plot_h = self.height - 2
        if limits is not None and plot_h >= 1:
            out += self._plot(limits, plot_h)
        out += [[] for _ in range(self.height - len(out))]
        return [_fit(line, self.width) for line in out[: self.height]]

    def _plot(self, limits: tuple[tuple[float, float], tuple[float, float]], plot_h: int
              ) -> list[list[Segment]]:
        (x0, x1), (y0, y1) = limits
        labels = [_label(y1), _label((y0 + y1) / 2), _label(y0)]
        lab_w = max(len(s) for s in labels)
        plot_w = self.width - lab_w - 1
        if plot_w < 2:
            return []
        bits, colour = self._cells(limits, plot_w, plot_h)
        marks = {0: labels[0], plot_h // 2: labels[1], plot_h - 1: labels[2]}
        out = []
        for row in range(plot_h):
            axis = f"{marks[row]:>{lab_w}}┤" if row in marks else " " * lab_w + "│"
            out.append([Segment(axis, AXIS_STYLE), *self._row(bits[row], colour[row])])
        left, right = _xlabel(x0), _xlabel(x1)
        gap = max(plot_w - len(left) - len(right), 1)
        out.append([Segment(" " * lab_w + "└" + left + " " * gap + right, AXIS_STYLE)])
        return out

    def _cells(self, limits: tuple[tuple[float, float], tuple[float, float]], w: int,
               h: int) -> tuple[np.ndarray, np.ndarray]:
        """Quadrant bits and the index of the colouring series (-1: empty) per cell."""
        bits = np.zeros((h, w), np.uint16)
        colour = np.full((h, w), -1, np.int16)
        for i, (x, y) in reversed(list(enumerate(self.series.values()))):  # the first on top
            b = cells(dots(x, y, *limits, cols=COLS * w, rows=ROWS * h))
            bits |= b
            colour[b > 0] = i
        return bits, colour

    @staticmethod
    def _row(bits: np.ndarray, colour: np.ndarray) -> list[Segment]:
        chars = "".join(QUADRANTS[bits].tolist())
        starts = np.flatnonzero(np.diff(colour, prepend=-2))
        ends = np.append(starts[1:], colour.size)
        out = []
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            k = int(colour[a])
            out.append(Segment(chars[a:b], None if k < 0 else LINE_STYLES[k % len(LINE_STYLES)]))
        return out


def _fit(line: list[Segment], width: int) -> list[Segment]:
    """``line`` cropped or padded to exactly ``width`` cells."""
    return Segment.adjust_line_length(line, width)


class SideBySide:
    """Renderables with a ``lines()`` method (all the same height) next to each other."""

    def __init__(self, *charts: LineChart) -> None:
        self.charts = charts

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for row in zip(*(chart.lines() for chart in self.charts), strict=True):
            for part in row:
                yield from part
            yield Segment.line()
