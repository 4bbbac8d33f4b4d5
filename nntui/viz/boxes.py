"""Fitting things into a panel's box: a renderable cropped to exactly its cells, a
title line that never wraps, and images resampled or block-averaged to the cells.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text


class Boxed:
    """``renderable`` rendered into exactly ``width × height`` cells (cropped or padded)."""

    def __init__(self, renderable: RenderableType, width: int, height: int) -> None:
        self.renderable, self.width, self.height = renderable, width, height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        opts = options.update(width=self.width, height=self.height)
        lines = console.render_lines(self.renderable, opts, pad=False)[: self.height]
        for line in lines:
            yield from line
            yield Segment.line()


def title_line(text: str) -> Text:
    return Text(text, style="bold", no_wrap=True, overflow="ellipsis")


def resample(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Nearest-neighbour resampling of the first two axes to ``rows × cols``."""
    r = (np.arange(rows) * grid.shape[0] // max(rows, 1)).clip(0, grid.shape[0] - 1)
    c = (np.arange(cols) * grid.shape[1] // max(cols, 1)).clip(0, grid.shape[1] - 1)
    return grid[r][:, c]


def block_mean(image: np.ndarray, k: int) -> np.ndarray:
    """Shrink ``(H, W, ...)`` by ``k`` with block means (edges cropped)."""
    if k <= 1:
        return image
    h, w = image.shape[0] // k * k, image.shape[1] // k * k
    im = image[:h, :w]
    return im.reshape(h // k, k, w // k, k, *im.shape[2:]).mean(axis=(1, 3))
