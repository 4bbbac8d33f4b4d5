"""Line and scatter plots drawn by plotext 5.x, returned as Rich ``Text``: charts printed
into the plain terminal (``nntui plot``, the curves at the end of ``nntui train``), where
redraw speed does not matter; the app draws its own (``nntui.viz``).

plotext keeps one global figure, so every call holds :data:`PLOT_LOCK` from
``clear_figure()`` to ``build()``; the trainer's thread and the UI thread may both plot.
plotext is imported on first use (it costs ~90 ms), keeping ``import nntui.commands`` light.

Speed (2-core dev container, best of repeats): an 80×20 plot of two 200-point series
takes ≈ 17–19 ms, nearly all inside ``plt.build()``; turning plotext's ANSI into Text
takes ≈ 1 ms with :func:`_to_text`, 5× less than ``Text.from_ansi``. A 40×12 plot takes
≈ 7 ms. Series longer than ``4·width`` points are thinned evenly first, so the cost
does not grow with the length of a run. Redraw plots a few times a second, not per step.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence

import numpy as np
from rich.style import Style
from rich.text import Text

from nntui.viz.colors import class_rgb

PLOT_LOCK = threading.Lock()
Series = tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]


def thin(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ``max_points`` evenly spaced points, always the first and last."""
    if x.size <= max_points:
        return x, y
    keep = np.unique(np.linspace(0, x.size - 1, max_points).round().astype(np.intp))
    return x[keep], y[keep]


def _clean(x: object, y: object, logy: bool) -> tuple[np.ndarray, np.ndarray]:
    """Float arrays without NaN/inf (and without y ≤ 0 on a log axis)."""
    xa = np.asarray(x, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    n = min(xa.size, ya.size)
    xa, ya = xa[:n], ya[:n]
    keep = np.isfinite(xa) & np.isfinite(ya)
    if logy:
        keep &= ya > 0
    return xa[keep], ya[keep]


def _decorate(plt: object, title: str | None, xlabel: str | None, ylabel: str | None) -> None:
    if title:
        plt.title(title)  # type: ignore[attr-defined]
    if xlabel:
        plt.xlabel(xlabel)  # type: ignore[attr-defined]
    if ylabel:
        plt.ylabel(ylabel)  # type: ignore[attr-defined]


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_SGR_STYLES: dict[str, Style | None] = {}


def _sgr_style(params: str) -> Style | None:
    """Style of one SGR escape (``"0"``/``""`` reset: None), decoded once by Rich."""
    if params not in _SGR_STYLES:
        spans = Text.from_ansi(f"\x1b[{params}mx").spans
        _SGR_STYLES[params] = spans[0].style if spans else None  # type: ignore[assignment]
    return _SGR_STYLES[params]


def _to_text(canvas: str) -> Text:
    """plotext's ANSI canvas → ``Text``.

    plotext writes an escape for nearly every cell; ``Text.from_ansi`` re-parses each
    one (about half the cost of a plot). plotext only emits SGR colour codes, each run
    ending in a reset, so styles are decoded once per distinct code and combined here.
    """
    text = Text(no_wrap=True, overflow="crop")
    for number, line in enumerate(canvas.split("\n")):
        if number:
            text.append("\n")
        style: Style | None = None
        pos = 0
        for match in _SGR.finditer(line):
            if match.start() > pos:
                text.append(line[pos : match.start()], style)
            code = _sgr_style(match.group(1))
            style = None if code is None else (code if style is None else style + code)
            pos = match.end()
        if pos < len(line):
            text.append(line[pos:], style)
    text.rstrip()
    return text


def line_plot(
    series: Mapping[str, Series],
    width: int = 80,
    height: int = 20,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    logy: bool = False,
) -> Text:
    """Plot named ``(x, y)`` series as lines, e.g. training and validation loss.

    Series take palette colours in order (``class_rgb(0)``, ``class_rgb(1)``, …), with
    a legend of their names. NaN/inf points are dropped (a diverged run still plots);
    on a log axis so are values ≤ 0.

    Args:
        series: ``{name: (x, y)}``.
        width: Plot width in cells, axes and labels included.
        height: Plot height in lines, title and labels included.
        title: Title line.
        xlabel: Label under the x axis.
        ylabel: Label of the y axis.
        logy: Logarithmic y axis.

    Returns:
        Rich ``Text`` of exactly ``height`` lines (no wrapping).
    """
    import plotext as plt

    with PLOT_LOCK:
        plt.clear_figure()
        plt.theme("clear")  # no background: the app's theme shows through
        plt.plotsize(width, height)
        for i, (name, (x, y)) in enumerate(series.items()):
            xa, ya = thin(*_clean(x, y, logy), max_points=4 * width)
            if xa.size:
                plt.plot(xa.tolist(), ya.tolist(), label=name, color=class_rgb(i))
        if logy:
            plt.yscale("log")
        _decorate(plt, title, xlabel, ylabel)
        canvas = plt.build()
    return _to_text(canvas)
