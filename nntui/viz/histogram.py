"""Histograms of weights, gradients and activations: one now, and over time.

:class:`Histogram` draws vertical bars with eighth blocks ``▁▂▃▄▅▆▇█`` (8 levels per
line), then a min/max axis and a mean/std/n line. :class:`HistogramHistory` draws
histograms over training steps as a heatmap (x = step, y = value bin), like
TensorBoard's distributions view.

Example:
    >>> Histogram(np.random.default_rng(0).normal(size=1000), bins=20, height=6)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

from nntui.errors import ShapeError
from nntui.numeric import fmt_number
from nntui.viz.colors import CmapLike, get_cmap
from nntui.viz.heatmap import LABEL_STYLE, TITLE_STYLE
from nntui.viz.image import half_block_lines, yield_lines

BARS = "▁▂▃▄▅▆▇█"
_LEVELS = np.array([" ", *BARS])  # index = eighths filled, 0..8


def bar_rows(counts: np.ndarray, height: int) -> list[str]:
    """Vertical bars for ``counts``, one character column per count, top line first.

    The tallest bar fills ``height`` lines; bar ``k`` is ``round(8·height·c_k / max c)``
    eighths tall, and at least one eighth when ``c_k > 0`` so no occupied bin vanishes.
    """
    counts = np.asarray(counts, dtype=np.float64)
    peak = counts.max() if counts.size else 0.0
    if peak <= 0:
        return [" " * counts.size for _ in range(height)]
    eighths = np.rint(counts / peak * height * 8).astype(np.intp)
    eighths = np.where(counts > 0, np.maximum(eighths, 1), 0)  # (B,)
    rows = []
    for level in range(height - 1, -1, -1):
        fill = np.clip(eighths - level * 8, 0, 8)
        rows.append("".join(_LEVELS[fill].tolist()))
    return rows


def rebin(counts: np.ndarray, n: int) -> np.ndarray:
    """Sum adjacent bins of ``counts (..., B)`` into ``n`` groups (``n <= B``)."""
    b = counts.shape[-1]
    starts = (np.arange(n) * b) // n
    return np.add.reduceat(counts, starts, axis=-1)


class Histogram:
    """A vertical bar histogram with min/max axis labels and mean/std/count.

    Args:
        values: Any shape; non-finite values are counted apart and left out.
        bins: Number of bins.
        width: Columns; default the available width. Fewer columns than bins merge
            neighbouring bins; more repeat each bin ``width // bins`` times.
        height: Lines of bars.
        title: Bold line above the bars.
        range: ``(lo, hi)`` of the bins; default the data's min and max.
        color: Style of the bars.
    """

    def __init__(
        self,
        values: np.ndarray,
        bins: int = 30,
        width: int | None = None,
        height: int = 8,
        title: str | None = None,
        *,
        range: tuple[float, float] | None = None,  # noqa: A002 - numpy's name
        color: str = "#1f77b4",
    ) -> None:
        v = np.asarray(values, dtype=np.float64).ravel()
        finite = v[np.isfinite(v)]
        self.nonfinite = int(v.size - finite.size)
        lo, hi = (
            range
            if range is not None
            else ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
        )
        if hi <= lo:
            lo, hi = lo - 0.5, lo + 0.5
        self.counts, self.edges = np.histogram(finite, bins=bins, range=(lo, hi))
        self.mean = float(finite.mean()) if finite.size else float("nan")
        self.std = float(finite.std()) if finite.size else float("nan")
        self.lo, self.hi = (float(finite.min()), float(finite.max())) if finite.size else (lo, hi)
        self.width, self.height, self.title = width, height, title
        self.style = Style.parse(color)

    @classmethod
    def from_counts(
        cls,
        counts: np.ndarray,
        edges: np.ndarray,
        width: int | None = None,
        height: int = 8,
        title: str | None = None,
        *,
        color: str = "#1f77b4",
    ) -> Histogram:
        """A histogram of already counted bins (what the trainer's snapshots carry).

        Mean and std are estimated from bin centres; min and max are the outer edges.

        Raises:
            ShapeError: ``edges`` is not one longer than ``counts``.
        """
        counts = np.asarray(counts, dtype=np.float64)
        edges = np.asarray(edges, dtype=np.float64)
        if edges.shape != (counts.size + 1,):
            raise ShapeError(
                f"edges must have len(counts) + 1 entries. "
                f"Received: counts.shape={counts.shape}, edges.shape={edges.shape}"
            )
        self = cls.__new__(cls)
        centres = (edges[:-1] + edges[1:]) / 2
        total = counts.sum()
        self.counts, self.edges, self.nonfinite = counts, edges, 0
        self.mean = float((centres * counts).sum() / total) if total else float("nan")
        var = ((centres - self.mean) ** 2 * counts).sum() / total if total else float("nan")
        self.std = float(np.sqrt(var))
        self.lo, self.hi = float(edges[0]), float(edges[-1])
        self.width, self.height, self.title = width, height, title
        self.style = Style.parse(color)
        return self

    def columns(self, max_width: int) -> np.ndarray:
        """Counts per character column for ``max_width`` cells."""
        width = max(1, min(self.width or max_width, max_width))
        n = self.counts.size
        if width < n:
            return rebin(self.counts, width)
        return np.repeat(self.counts, width // n)

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        cols = self.columns(max_width)
        width = max(cols.size, 1)
        lines: list[list[Segment]] = []
        if self.title:
            lines.append([Segment(self.title, TITLE_STYLE)])
        lines.extend([Segment(row, self.style)] for row in bar_rows(cols, self.height))
        lo, hi = fmt_number(self.lo), fmt_number(self.hi)
        axis = lo + hi.rjust(width - len(lo)) if len(lo) + len(hi) < width else lo
        lines.append([Segment(axis, LABEL_STYLE)])
        lines.append([Segment(self.stats_line(max_width), LABEL_STYLE)])
        return lines

    def stats_line(self, width: int) -> str:
        """Mean, std (and count) in ``width`` cells: labels and digits shorten, a number
        is never cut (the panel would crop an over-long line mid-figure)."""
        n = fmt_number(int(self.counts.sum()))
        bad = f"  nan/inf {self.nonfinite}" if self.nonfinite else ""
        text = ""
        for digits in (3, 2, 1):
            m, s = fmt_number(self.mean, digits), fmt_number(self.std, digits)
            for text in (f"mean {m}  std {s}  n {n}{bad}", f"mean {m}  std {s}{bad}",
                         f"μ {m} σ {s}{bad}", f"μ {m} σ {s}"):
                if len(text) <= width:
                    return text
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if self.width is None:
            return Measurement(min(self.counts.size, options.max_width), options.max_width)
        width = min(self.width, options.max_width)
        return Measurement(width, width)


class HistogramHistory:
    """Histograms over time as a heatmap: x = step, y = value bin (high values on top).

    Each step's counts are scaled by that step's largest count, so a narrowing or
    widening distribution stays visible even as the total changes.

    Args:
        history: ``(step, counts)`` pairs in time order, every ``counts`` of length ``B``.
        edges: ``B + 1`` bin edges shared by all steps, for the value axis labels.
        height: Lines (two bins' rows per line; bins are summed or repeated to fit).
        width: Columns; default the available width. Longer histories are sampled
            evenly, shorter ones take one column per step.
        cmap: Colour map of the relative density.
        title: Bold line above.

    Raises:
        ShapeError: The steps do not all have the same number of bins.
    """

    def __init__(
        self,
        history: Sequence[tuple[int, np.ndarray]],
        edges: np.ndarray | None = None,
        *,
        height: int = 8,
        width: int | None = None,
        cmap: CmapLike = "viridis",
        title: str | None = None,
    ) -> None:
        self.steps = [int(step) for step, _ in history]
        sizes = {np.asarray(c).size for _, c in history}
        if len(sizes) > 1:
            raise ShapeError(f"every step needs the same number of bins. Received: {sorted(sizes)}")
        n_bins = sizes.pop() if sizes else 0
        self.counts = np.array(
            [np.asarray(c, dtype=np.float64).ravel() for _, c in history]
        ).reshape(len(history), n_bins)  # (T, B)
        self.edges = None if edges is None else np.asarray(edges, dtype=np.float64)
        self.height, self.width, self.title = height, width, title
        self.cmap = get_cmap(cmap)

    def _density(self, columns: int) -> np.ndarray:
        """``(2·height, columns')`` relative densities, highest bin on row 0."""
        counts = self.counts
        if counts.shape[0] > columns:
            keep = np.linspace(0, counts.shape[0] - 1, columns).round().astype(np.intp)
            counts = counts[keep]  # (columns, B)
        rows = 2 * self.height
        b = counts.shape[1]
        counts = rebin(counts, rows) if b > rows else counts[:, (np.arange(rows) * b) // rows]
        peak = counts.max(axis=1, keepdims=True)  # (T', 1)
        density = np.divide(counts, peak, out=np.zeros_like(counts), where=peak > 0)
        return density.T[::-1]  # (rows, T') with the top value bin first

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        lines: list[list[Segment]] = []
        if self.title:
            lines.append([Segment(self.title, TITLE_STYLE)])
        if self.counts.size == 0:
            lines.append([Segment("no data yet", LABEL_STYLE)])
            return lines
        hi = fmt_number(self.edges[-1]) if self.edges is not None else ""
        lo = fmt_number(self.edges[0]) if self.edges is not None else ""
        label_width = max(len(hi), len(lo))
        indent = label_width + 1 if label_width else 0
        columns = max(1, min(self.width or max_width, max_width) - indent)
        body = half_block_lines(self.cmap.map(self._density(columns), 0.0, 1.0))
        for i, line in enumerate(body):
            label = hi if i == 0 else lo if i == len(body) - 1 else ""
            prefix = [Segment(label.rjust(label_width) + " ", LABEL_STYLE)] if indent else []
            lines.append(prefix + line)
        first, last = str(self.steps[0]), str(self.steps[-1])
        span = _width(body[0])
        axis = first + last.rjust(span - len(first)) if len(first) + len(last) < span else first
        lines.append([Segment(" " * indent + axis, LABEL_STYLE)])
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = max(_width(line) for line in self.lines(options.max_width))
        return Measurement(width, width)


def _width(line: list[Segment]) -> int:
    return sum(seg.cell_length for seg in line)
