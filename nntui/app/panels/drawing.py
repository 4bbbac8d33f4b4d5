"""Drawing on the data in the MLP panel (``d`` on the live dashboard, 2-D points).

:class:`Drawing` holds the learner's :class:`~nntui.data.drawn.DrawnPoints`, the class a
click adds (``1``-``9``) or erase mode (``0``), and turns a click on the decision
regions into a point of the plane: the picture covers the snapshot's extent, one
column per grid column and one line per two grid rows, ymax on top. The points are
drawn from the learner's set at once; the network gets them at its next epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import RenderableType

from nntui.data.drawn import DrawnPoints
from nntui.viz import DecisionBoundary

ERASE = -1


def click_point(col: int, line: int, width: int, lines: int,
                extent: tuple[float, float, float, float]) -> tuple[float, float]:
    """The plane point at the centre of cell ``(col, line)`` of a ``width × lines``
    picture of ``extent`` (line 0 at ymax)."""
    xmin, xmax, ymin, ymax = extent
    return (xmin + (col + 0.5) / width * (xmax - xmin),
            ymax - (line + 0.5) / lines * (ymax - ymin))


class Drawing:
    """The set being drawn and what a click does.

    Args:
        points: the learner's set (the run's own points to begin with).
        on_change: called with the set and a sentence after each change.
    """

    def __init__(self, points: DrawnPoints, on_change: Callable[[DrawnPoints, str], None]
                 ) -> None:
        self.points, self.on_change = points, on_change
        self.label = 0
        self.box: tuple[int, int, tuple[float, float, float, float]] | None = None
        """``(width, lines, extent)`` of the picture last drawn (what a click maps onto)."""

    def choose(self, label: int) -> str:
        """Class ``label`` for the next clicks (``ERASE``: clicks erase)."""
        if label != ERASE and not 0 <= label < self.points.num_classes:
            return f"no class {label + 1}: this data has {self.points.num_classes}"
        self.label = label
        return "clicks erase points" if label == ERASE else \
            f"clicks add points of {self.class_name(label)}"

    def class_name(self, label: int) -> str:
        """``class 2`` (a name that says class already is kept as it is)."""
        name = self.points.class_names[label]
        return name if name.lower().startswith("class") else f"class {name}"

    def title(self) -> str:
        what = "erasing" if self.label == ERASE else f"adding {self.class_name(self.label)}"
        n, nv, added = self.points.counts()
        return (f"drawing, {what} · {n} train, {nv} held out, {added} drawn · click · "
                f"1-{self.points.num_classes} class · 0 erase · o noise/split · c save · "
                f"d done")

    def picture(self, extras: dict[str, Any], width: int, height: int) -> RenderableType:
        """The regions of the last snapshot with the points as they are drawn now."""
        lines = max(1, height - 1)
        grid = np.asarray(extras["grid"])
        r = (np.arange(2 * lines) * grid.shape[0] // (2 * lines)).clip(0, grid.shape[0] - 1)
        c = (np.arange(width) * grid.shape[1] // width).clip(0, grid.shape[1] - 1)
        x, y, _, _ = self.points.arrays()
        extent = tuple(extras["extent"])
        self.box = (width, lines, extent)  # type: ignore[assignment]
        return DecisionBoundary(grid[r][:, c], x, y, extent,
                                class_names=list(self.points.class_names))

    def click(self, col: int, line: int) -> None:
        """Add (or erase) at cell ``(col, line)`` of the picture."""
        if self.box is None:
            return
        width, lines, extent = self.box
        if not (0 <= col < width and 0 <= line < lines):
            return
        p = click_point(col, line, width, lines, extent)
        if self.label == ERASE:
            radius = 1.5 * max((extent[1] - extent[0]) / width, (extent[3] - extent[2]) / lines)
            gone = self.points.erase(p, radius)
            if gone:
                self.on_change(self.points, f"erased {gone} points near ({p[0]:.2f}, "
                                            f"{p[1]:.2f})")
            return
        self.points.add(p, self.label)
        self.on_change(self.points, f"drew a point of {self.class_name(self.label)} at "
                                    f"({p[0]:.2f}, {p[1]:.2f})")
