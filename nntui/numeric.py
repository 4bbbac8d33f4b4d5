"""Pure number helpers shared by the layers above the engine: inspector traces, panel
data and the renderers all format numbers and lay out the 2-D input plane the same way.

Nothing here imports Rich or Textual.

Example:
    >>> fmt_number(0.000012345)
    '1.23e-5'
    >>> data_extent(np.array([[0.0, 0.0], [1.0, 2.0]]), margin=0.0)
    (0.0, 1.0, 0.0, 2.0)
"""

from __future__ import annotations

import math

import numpy as np

Extent = tuple[float, float, float, float]  # (xmin, xmax, ymin, ymax)
_EXACT_INT_LIMIT = 10**6


def fmt_number(x: float | int | np.number, digits: int = 3) -> str:
    """Format a number compactly with ``digits`` significant digits.

    Fixed notation from 1e-4 up to ``10**digits``, scientific outside it with a short
    exponent (``1.23e3``, ``1e-5``); trailing zeros dropped (``2.0`` → ``"2"``).
    Integers below a million print exactly; ``nan``, ``inf`` and ``-inf`` as such.

    Args:
        x: A Python or NumPy number.
        digits: Significant digits (at least 1).

    Returns:
        The formatted string.
    """
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        if abs(int(x)) < _EXACT_INT_LIMIT:
            return str(int(x))
    value = float(x)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0.0:
        return "0"
    text = f"{value:.{max(1, digits)}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def grid_points(extent: Extent, gw: int, gh: int) -> np.ndarray:
    """Cell centres ``(gh·gw, 2)`` of a ``gh × gw`` grid over ``extent``, row 0 at ymin."""
    xmin, xmax, ymin, ymax = extent
    xs = xmin + (np.arange(gw) + 0.5) * (xmax - xmin) / gw  # (GW,)
    ys = ymin + (np.arange(gh) + 0.5) * (ymax - ymin) / gh  # (GH,)
    gx, gy = np.meshgrid(xs, ys)  # (GH, GW) each
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def data_extent(points: np.ndarray, margin: float = 0.05) -> Extent:
    """Bounds of ``points (N, 2)`` widened by ``margin`` of their span on each side."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if p.size == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    lo, hi = p.min(axis=0), p.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
