"""Bar renderables: class probabilities and per-time-step norms.

:class:`ProbabilityBars` shows a classifier's output for one input as horizontal bars
with eighth-cell resolution. :class:`NormSeries` is a Sparkline-like strip of gradient
norms across time steps, on a log scale by default, so vanishing (1e-8) and exploding
(1e3) gradients in an RNN are both visible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

from nntui.numeric import fmt_number
from nntui.viz.colors import CmapLike, class_rgb, get_cmap, pack_rgb, rgb_style
from nntui.viz.heatmap import LABEL_STYLE, TITLE_STYLE
from nntui.viz.histogram import BARS
from nntui.viz.image import yield_lines

H_EIGHTHS = " ▏▎▍▌▋▊▉"  # index = eighths of a cell filled, 0..7
RIGHT = Style(color="green")
WRONG = Style(color="red")


def horizontal_bar(fraction: float, width: int) -> str:
    """A bar ``width`` cells long filled to ``fraction`` in eighths, padded with spaces.

    Example:
        >>> horizontal_bar(0.5, 4)
        '██  '
    """
    eighths = int(round(min(max(float(fraction), 0.0), 1.0) * width * 8))
    full, rest = divmod(eighths, 8)
    bar = "█" * full + (H_EIGHTHS[rest] if rest else "")
    return bar.ljust(width)


def _packed(rgb: tuple[int, int, int]) -> int:
    r, g, b = rgb
    return (r << 16) | (g << 8) | b


class ProbabilityBars:
    """Predicted class probabilities as horizontal bars, one line per class.

    Each line is ``name ▶ bar  87.0%``: the bar in the class's palette colour, a "▶"
    marking the predicted (arg-max) class, and "✓"/"✗" after the true class when it is
    given (✓ when the prediction is right).

    Args:
        probs: ``(K,)`` probabilities.
        class_names: ``K`` names; default ``"0"`` … ``"K-1"``.
        width: Bar length in cells; default whatever is left of the available width.
        true_label: Index of the correct class, if known.
        top_k: Show only the ``k`` most probable classes, most probable first.
    """

    def __init__(
        self,
        probs: np.ndarray,
        class_names: Sequence[str] | None = None,
        *,
        width: int | None = None,
        true_label: int | None = None,
        top_k: int | None = None,
    ) -> None:
        self.probs = np.asarray(probs, dtype=np.float64).ravel()
        k = self.probs.size
        self.names = (
            [str(n) for n in class_names] if class_names is not None else [str(i) for i in range(k)]
        )
        order = np.argsort(-self.probs, kind="stable")[:top_k] if top_k else np.arange(k)
        self.order = [int(i) for i in order]
        self.width, self.true_label = width, true_label
        self.predicted = int(np.argmax(self.probs)) if k else -1

    def _name_width(self) -> int:
        return max((len(self.names[i]) for i in self.order), default=0)

    @property
    def name_width(self) -> int:
        """Cells of the longest class name shown (a caller sizing the bars needs it)."""
        return self._name_width()

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        name_width = self._name_width()
        fixed = name_width + 3 + 7 + 2  # "name ▶ " + " 100.0%" + " ✓"
        bar_width = self.width or max(1, max_width - fixed)  # the figures must fit, not the bar
        lines = []
        for i in self.order:
            is_pred = i == self.predicted
            name_style = Style(bold=True) if is_pred else LABEL_STYLE
            line = [
                Segment(self.names[i].rjust(name_width), name_style),
                Segment(" ▶ " if is_pred else "   "),
                Segment(horizontal_bar(self.probs[i], bar_width), rgb_style(_packed(class_rgb(i)))),
                Segment(f"{self.probs[i] * 100:6.1f}%"),
            ]
            if self.true_label is not None and i == self.true_label:
                right = self.true_label == self.predicted
                line.append(Segment(" ✓" if right else " ✗", RIGHT if right else WRONG))
            lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        fixed = self._name_width() + 12
        if self.width is not None:
            return Measurement(fixed + self.width, fixed + self.width)
        return Measurement(fixed + 4, options.max_width)


class NormSeries:
    """Per-time-step norms as vertical bars coloured by size (a log-scale sparkline).

    Bar ``t`` is ``1 + round((8·height − 1)·r_t)`` eighths tall, where ``r_t`` is the
    value's position between the series' min and max (of ``log10`` values when
    ``log``), so every step shows at least "▁". Below: the first and last time step,
    and the min and max values.

    Args:
        norms: ``(T,)`` non-negative values, e.g. ‖∂L/∂h_t‖ for each step of BPTT.
        width: Columns; default one per step, limited to the available width (longer
            series are averaged in groups).
        height: Lines of bars.
        log: Use a log10 scale; zeros are drawn at the smallest positive value.
            NaN/inf steps are drawn full height (a blow-up should not hide).
        cmap: Colour of each bar by ``r_t``.
        title: Bold line above.
        stretch: Widen a series shorter than ``width`` to fill it (each value repeated
            over its share of the columns), for series over training steps.
        x_labels: The axis's first and last label; default the first and last index.
    """

    def __init__(
        self,
        norms: np.ndarray,
        width: int | None = None,
        height: int = 3,
        *,
        log: bool = True,
        cmap: CmapLike = "viridis",
        title: str | None = None,
        stretch: bool = False,
        x_labels: tuple[str, str] | None = None,
    ) -> None:
        self.norms = np.asarray(norms, dtype=np.float64).ravel()
        self.width, self.height, self.log, self.title = width, height, log, title
        self.stretch, self.x_labels = stretch, x_labels
        self.cmap = get_cmap(cmap)

    def _columns(self, v: np.ndarray, max_width: int) -> np.ndarray:
        """Group means of ``v`` down to at most ``max_width`` (and ``width``) columns."""
        width = max(1, min(self.width or v.size, max_width))
        if v.size > width:
            starts = (np.arange(width) * v.size) // width
            v = np.add.reduceat(v, starts) / np.diff(starts, append=v.size)  # group means
        elif self.stretch and v.size < width:
            v = v[(np.arange(width) * v.size) // width]  # each value over its columns
        return v

    def _ratios(self, v: np.ndarray) -> np.ndarray:
        finite = np.isfinite(v)
        if self.log:
            positive = v[finite & (v > 0)]
            floor = positive.min() if positive.size else 1.0
            v = np.log10(np.maximum(np.where(finite, v, floor), floor))
        lo, hi = (v[finite].min(), v[finite].max()) if finite.any() else (0.0, 1.0)
        r = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
        return np.where(finite, np.clip(r, 0.0, 1.0), 1.0)

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        lines: list[list[Segment]] = []
        if self.title:
            lines.append([Segment(self.title, TITLE_STYLE)])
        if self.norms.size == 0:
            return [*lines, [Segment("no data yet", LABEL_STYLE)]]
        r = self._columns(self._ratios(self.norms), max_width)  # averaged on the drawn scale
        eighths = 1 + np.rint(r * (8 * self.height - 1)).astype(np.intp)  # (W,)
        colours = pack_rgb(self.cmap.map(r, 0.0, 1.0)).tolist()
        levels = [" ", *BARS]
        for level in range(self.height - 1, -1, -1):
            fill = np.clip(eighths - level * 8, 0, 8).tolist()
            lines.append(
                [Segment(levels[f], rgb_style(c)) for f, c in zip(fill, colours, strict=True)]
            )
        first, last = self.x_labels or ("0", str(self.norms.size - 1))
        axis = first + last.rjust(r.size - len(first)) if r.size > len(first) + len(last) else ""
        finite = self.norms[np.isfinite(self.norms)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
        scale = " (log)" if self.log else ""
        if axis:
            lines.append([Segment(axis, LABEL_STYLE)])
        lines.append([Segment(f"min {fmt_number(lo)}  max {fmt_number(hi)}{scale}", LABEL_STYLE)])
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = max(sum(s.cell_length for s in line) for line in self.lines(options.max_width))
        return Measurement(width, width)
