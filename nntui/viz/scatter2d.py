"""2-D classification views: decision boundaries with data (TensorFlow Playground style)
and class-coloured scatter plots (GAN real vs fake, autoencoder latent space).

Grid convention (shared with the code that evaluates the model): ``grid_points(extent,
gw, gh)`` returns the cell centres row by row, **row 0 at y = ymin**, as
``np.meshgrid`` does; ``model.predict(grid_points(...))`` reshaped to ``(gh, gw[, K])``
is what :class:`DecisionBoundary` takes. Drawing puts ymax at the top.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment

from nntui.errors import ShapeError
from nntui.numeric import Extent, data_extent, fmt_number
from nntui.viz.colors import RGB, blend, class_rgb, class_rgb_array, pack_rgb, rgb_style
from nntui.viz.heatmap import LABEL_STYLE, TITLE_STYLE
from nntui.viz.image import yield_lines

_LEVELS = 16


def point_cells(points: np.ndarray, extent: Extent, gw: int, gh: int) -> tuple[np.ndarray, ...]:
    """Grid ``(row, col, inside)`` of each point, row 0 at ymin; ``inside`` masks the rest."""
    xmin, xmax, ymin, ymax = extent
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    col = np.floor((p[:, 0] - xmin) / (xmax - xmin) * gw).astype(np.int64)
    row = np.floor((p[:, 1] - ymin) / (ymax - ymin) * gh).astype(np.int64)
    # The upper edge belongs to the last cell.
    col = np.where(p[:, 0] == xmax, gw - 1, col)
    row = np.where(p[:, 1] == ymax, gh - 1, row)
    inside = (col >= 0) & (col < gw) & (row >= 0) & (row < gh)
    return row, col, inside


def cell_lines(chars: np.ndarray, fg: np.ndarray, bg: np.ndarray) -> list[list[Segment]]:
    """Lines from per-cell characters and packed colours (``-1``: unset), runs merged.

    Args:
        chars: ``(L, W)`` one-character strings (dtype ``<U1``).
        fg: ``(L, W)`` packed foreground colours.
        bg: ``(L, W)`` packed background colours.
    """
    n_lines, w = chars.shape
    keys = (((fg.astype(np.int64) + 1) << 25) | (bg.astype(np.int64) + 1)).ravel()  # (L*W,)
    change = np.empty(keys.size, dtype=bool)
    change[0] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:])
    change[::w] = True  # runs never cross a line end
    starts = np.flatnonzero(change)  # (R,)
    run_keys = keys[starts].tolist()
    mask = (1 << 25) - 1
    styles = {
        k: rgb_style((k >> 25) - 1 if k >> 25 else None, (k & mask) - 1 if k & mask else None)
        for k in set(run_keys)
    }
    text = "".join(chars.ravel().tolist())  # one code point per cell
    bounds = zip(starts.tolist(), [*starts[1:].tolist(), keys.size], run_keys, strict=True)
    segments = [Segment(text[a:b], styles[k]) for a, b, k in bounds]
    line_ends = np.searchsorted(starts, np.arange(1, n_lines + 1) * w).tolist()
    return [segments[a:b] for a, b in zip([0, *line_ends[:-1]], line_ends, strict=True)]


def legend_line(class_names: Sequence[str]) -> list[Segment]:
    """``■ name`` for each class, in the class colours."""
    segments: list[Segment] = []
    for i, name in enumerate(class_names):
        r, g, b = class_rgb(i)
        segments.append(Segment("■ ", rgb_style((r << 16) | (g << 8) | b)))
        segments.append(Segment(f"{name}  ", LABEL_STYLE))
    return segments


class DecisionBoundary:
    """Predicted class regions as a half-block background, data points drawn on top.

    Each grid cell is the colour of its predicted class blended into ``base`` by
    confidence: ``strength = lo + (hi − lo)·(conf − 1/K)/(1 − 1/K)``, so uncertain
    regions fade toward ``base`` and the boundary shows as a dark seam. Confidence is
    rounded to 16 levels. Each terminal
    cell covers one grid column and two grid rows; a cell holding a data point shows
    ``glyph`` in that point's class colour over the mean of its two grid colours
    (later points draw over earlier ones).

    Args:
        grid_probs: ``(GH, GW)`` probability of class 1 (binary) or ``(GH, GW, K)``
            class probabilities, row 0 at ymin (see :func:`grid_points`).
        points: ``(N, 2)`` data points, or None.
        labels: ``(N,)`` integer classes of the points.
        extent: ``(xmin, xmax, ymin, ymax)`` the grid covers.
        class_names: Adds a legend line when given.
        glyph: Character drawn for a point.
        base: RGB that low confidence fades to (dark, for dark themes).
        strength: ``(lo, hi)`` blend weights of the class colour.
    """

    def __init__(
        self,
        grid_probs: np.ndarray,
        points: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        extent: Extent = (-1.0, 1.0, -1.0, 1.0),
        *,
        class_names: Sequence[str] | None = None,
        glyph: str = "●",
        base: RGB = (24, 24, 24),
        strength: tuple[float, float] = (0.25, 0.7),
    ) -> None:
        probs = np.asarray(grid_probs, dtype=np.float64)
        if probs.ndim == 2:
            probs = np.stack([1.0 - probs, probs], axis=-1)  # (GH, GW, 2)
        if probs.ndim != 3:
            raise ShapeError(
                f"grid_probs must be (GH, GW) or (GH, GW, K). Received: shape={probs.shape}"
            )
        k = probs.shape[-1]
        self.classes = probs.argmax(axis=-1)  # (GH, GW)
        confidence = probs.max(axis=-1)
        t = np.clip((confidence - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        # 16 confidence levels: bands read like contour lines, and equal neighbours merge
        # into one segment (a 60×40 map draws ~5× faster than with unique colours).
        t = np.round(t * _LEVELS) / _LEVELS
        weight = strength[0] + (strength[1] - strength[0]) * t
        self.rgb = blend(np.array(base), class_rgb_array(self.classes), weight)  # (GH, GW, 3)
        self.points = np.zeros((0, 2)) if points is None else np.asarray(points, dtype=np.float64)
        self.labels = (
            np.zeros(len(self.points), dtype=np.int64)
            if labels is None
            else np.asarray(labels).astype(np.int64).ravel()
        )
        self.extent, self.glyph, self.class_names = extent, glyph, class_names

    def lines(self) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        gh, gw = self.classes.shape
        packed = pack_rgb(self.rgb[::-1])  # (GH, GW), ymax row first
        if gh % 2:
            packed = np.vstack([packed, np.full((1, gw), -1, dtype=np.int64)])
        top, bottom = packed[0::2], packed[1::2]  # (L, GW) each
        chars = np.full(top.shape, "▀", dtype="<U1")
        fg, bg = top.copy(), bottom.copy()
        row, col, inside = point_cells(self.points, self.extent, gw, gh)
        line = (gh - 1 - row[inside]) // 2
        col, labels = col[inside], self.labels[inside]
        flipped = self.rgb[::-1].astype(np.int64)  # (GH, GW, 3), ymax row first
        upper, lower = flipped[0::2], flipped[1::2]
        if len(lower) < len(upper):  # odd GH: the last line has only its upper pixel
            lower = np.concatenate([lower, upper[-1:]], axis=0)
        cell_bg = pack_rgb((upper + lower) // 2)  # (L, GW) behind a point glyph
        chars[line, col] = self.glyph
        fg[line, col] = pack_rgb(class_rgb_array(labels))
        bg[line, col] = cell_bg[line, col]
        out = cell_lines(chars, fg, bg)
        if self.class_names:
            out.append(legend_line(self.class_names))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines())

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.classes.shape[1]
        return Measurement(width, width)


class Scatter:
    """Class-coloured points at two dots per cell (half blocks), with axis ranges.

    A cell whose upper and lower halves hold points shows "▀" with the upper point's
    colour over the lower one's ("█" when equal); one half only shows "▀" or "▄".
    Later points draw over earlier ones.

    Args:
        points: ``(N, 2)`` coordinates.
        labels: ``(N,)`` integer classes (palette colours); default all class 0.
        extent: ``(xmin, xmax, ymin, ymax)``; default the data bounds plus 5 %.
        width: Columns; default the available width.
        height: Lines (``2·height`` dot rows).
        class_names: Legend entries, e.g. ``["real", "fake"]``.
        title: Bold line above.
    """

    def __init__(
        self,
        points: np.ndarray,
        labels: np.ndarray | None = None,
        extent: Extent | None = None,
        *,
        width: int | None = None,
        height: int = 12,
        class_names: Sequence[str] | None = None,
        title: str | None = None,
    ) -> None:
        self.points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        n = len(self.points)
        self.labels = (
            np.zeros(n, np.int64) if labels is None else np.asarray(labels).astype(np.int64).ravel()
        )
        self.extent = extent or data_extent(self.points)
        self.width, self.height, self.class_names, self.title = width, height, class_names, title

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        width = max(1, min(self.width or max_width, max_width))
        gh = 2 * self.height
        dots = np.full((gh, width), -1, dtype=np.int64)  # packed colour per dot, ymax first
        row, col, inside = point_cells(self.points, self.extent, width, gh)
        dots[gh - 1 - row[inside], col[inside]] = pack_rgb(class_rgb_array(self.labels[inside]))
        top, bottom = dots[0::2], dots[1::2]  # (H, W)
        both = np.where(top == bottom, "█", "▀")
        chars = np.where(top >= 0, both, np.where(bottom >= 0, "▄", " "))
        fg = np.where(top >= 0, top, bottom)
        bg = np.where((top >= 0) & (bottom >= 0) & (top != bottom), bottom, -1)
        lines: list[list[Segment]] = []
        if self.title:
            lines.append([Segment(self.title, TITLE_STYLE)])
        lines.extend(cell_lines(chars, fg, bg))
        xmin, xmax, ymin, ymax = self.extent
        ranges = f"x {fmt_number(xmin)} … {fmt_number(xmax)}"
        ranges += f"   y {fmt_number(ymin)} … {fmt_number(ymax)}"
        lines.append([Segment(ranges, LABEL_STYLE)])
        if self.class_names:
            lines.append(legend_line(self.class_names))
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if self.width is None:
            return Measurement(1, options.max_width)
        width = min(self.width, options.max_width)
        return Measurement(width, width)
