"""A grid of half-block images with captions.

For GAN samples, convolution filters, feature maps, and input-vs-reconstruction pairs.

Example:
    >>> ImageGrid(np.random.default_rng(0).random((8, 28, 28)), cols=4,
    ...           labels=[str(i) for i in range(8)])  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment

from nntui.errors import ShapeError
from nntui.viz.colors import CmapLike, get_cmap, resolve_limits
from nntui.viz.heatmap import LABEL_STYLE
from nntui.viz.image import HalfBlockImage, yield_lines


def _as_batch(images: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)`` (or a list of equal images)."""
    batch = np.asarray(images)
    if batch.ndim == 4 and batch.shape[-1] == 1:
        batch = batch[..., 0]
    if batch.ndim == 3 or (batch.ndim == 4 and batch.shape[-1] == 3):
        return batch
    raise ShapeError(
        f"images must be (N, H, W), (N, H, W, 1) or (N, H, W, 3). Received: shape={batch.shape}"
    )


class ImageGrid:
    """Images side by side in rows, each with an optional caption line below it.

    Args:
        images: ``(N, H, W)`` values, ``(N, H, W, 1)``, or ``(N, H, W, 3)`` RGB in [0, 1].
        cols: Images per row; default (and at most) as many as fit the width.
        labels: One caption per image, centred and cut to the image's width.
        cmap: Colour map for 2-D images (``"diverging"`` suits conv filters).
        vmin: Colour limit; default per image, or over all with ``shared_limits``.
        vmax: Colour limit; default per image, or over all with ``shared_limits``.
        scale: Integer upscaling of every image.
        gap: Blank columns between images.
        shared_limits: One colour scale for all images (compare magnitudes across
            feature maps) instead of one per image (see each one's pattern).
    """

    def __init__(
        self,
        images: np.ndarray | Sequence[np.ndarray],
        cols: int | None = None,
        labels: Sequence[str] | None = None,
        cmap: CmapLike = "grayscale",
        vmin: float | None = None,
        vmax: float | None = None,
        *,
        scale: int = 1,
        gap: int = 1,
        shared_limits: bool = False,
    ) -> None:
        batch = _as_batch(images)
        if labels is not None and len(labels) != len(batch):
            raise ShapeError(
                f"labels must have one entry per image. "
                f"Received: {len(labels)} labels for {len(batch)} images"
            )
        if shared_limits and batch.ndim == 3 and len(batch):
            vmin, vmax = resolve_limits(batch, vmin, vmax, diverging=get_cmap(cmap).diverging)
        self.images = [HalfBlockImage(im, cmap, vmin, vmax, scale=scale) for im in batch]
        self.labels = [str(label) for label in labels] if labels is not None else None
        self.cols, self.gap, self.scale = cols, gap, scale

    @property
    def cell_width(self) -> int:
        """Width of one image in cells before any shrinking to fit."""
        return self.images[0].pixel_size[1] * self.scale if self.images else 0

    def layout(self, max_width: int) -> tuple[int, int]:
        """``(cols, image_width)`` used in ``max_width`` cells."""
        if not self.images:
            return 0, 0
        image_width, _ = self.images[0].size(min(self.cell_width, max_width))
        fit = max(1, (max_width + self.gap) // (image_width + self.gap))
        cols = min(self.cols or fit, fit, len(self.images))
        return cols, image_width

    def width(self, max_width: int) -> int:
        """Total width in cells: ``cols·image_width + (cols − 1)·gap``."""
        cols, image_width = self.layout(max_width)
        return cols * image_width + max(0, cols - 1) * self.gap

    def lines(self, max_width: int) -> list[list[Segment]]:
        """The rendered lines (without newlines)."""
        cols, image_width = self.layout(max_width)
        lines: list[list[Segment]] = []
        gap = Segment(" " * self.gap)
        for start in range(0, len(self.images), max(cols, 1)):
            row = self.images[start : start + cols]
            drawn = [im.lines(image_width) for im in row]
            for i in range(max(len(d) for d in drawn)):
                line: list[Segment] = []
                for k, image_lines in enumerate(drawn):
                    if k:
                        line.append(gap)
                    line.extend(
                        image_lines[i] if i < len(image_lines) else [Segment(" " * image_width)]
                    )
                lines.append(line)
            if self.labels is not None:
                captions = [
                    label[:image_width].center(image_width)
                    for label in self.labels[start : start + cols]
                ]
                lines.append([Segment((" " * self.gap).join(captions), LABEL_STYLE)])
            elif start + cols < len(self.images):
                lines.append([])  # a blank line keeps rows of images apart
        return lines

    def rows(self, max_width: int) -> int:
        """Number of image rows in ``max_width`` cells."""
        cols, _ = self.layout(max_width)
        return math.ceil(len(self.images) / cols) if cols else 0

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines(options.max_width))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self.width(options.max_width)
        return Measurement(width, width)
