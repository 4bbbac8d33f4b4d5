"""``NeuronTiles``: every hidden unit's output over the input plane as a small picture,
layer by layer, as TensorFlow Playground draws its neurons.

Each layer gets a heading (``dense_1 · tanh · 8 units``, and ``frozen`` or the units
switched off) and rows of tiles; under each tile row, the unit numbers (the chosen
unit in reverse video, a switched-off one as ``✕3``). A tile is ``w`` columns by
``w/2`` lines of half blocks (square pixels), coloured by a diverging map whose
limits are ``±max|output|`` of its layer, so tiles of one layer compare. The tile
size is the largest that shows every unit in the space given; when even the
smallest cannot, each layer shows its first units and says how many more it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from nntui.viz.boxes import resample
from nntui.viz.colors import Colormap
from nntui.viz.image import half_block_lines, yield_lines

SIZES = (16, 12, 10, 8, 6, 4)  # tile widths tried, largest first
PLAYGROUND = Colormap("playground", ((0.0, (30, 120, 200)), (0.5, (36, 36, 36)),
                                     (1.0, (240, 140, 30))), diverging=True)
"""Blue below zero, dark at zero (a dark terminal's background), orange above: a unit
that is off, or a dead ReLU, is a dark tile."""
GAP_RGB = (12, 12, 12)
HEAD = Style(bold=True)
DIM = Style(dim=True)
CHOSEN = Style(reverse=True, bold=True)
OFF = Style(color="red", bold=True)


class NeuronTiles:
    """Tiles of ``layers`` (dicts of :func:`nntui.panel_data.neurons.neuron_tiles`).

    Args:
        layers: per layer ``name``, ``activation``, ``units``, ``trainable``,
            ``ablated`` and ``maps (GH, GW, U)`` (row 0 at ymin).
        width, height: the cells available.
        chosen: ``(layer name, unit)`` to mark, or None.
    """

    def __init__(self, layers: Sequence[dict[str, Any]], width: int, height: int,
                 chosen: tuple[str, int] | None = None) -> None:
        self.layers, self.width, self.height, self.chosen = list(layers), width, height, chosen
        self.cmap = PLAYGROUND

    def plan(self) -> tuple[int, list[int]]:
        """``(tile width, units shown per layer)``: the largest tile that shows every
        unit, else the smallest with as many tile rows per layer as fit."""
        counts = [min(layer["maps"].shape[-1], layer["units"]) for layer in self.layers]
        for w in SIZES:
            if self._lines(w, counts) <= self.height:
                return w, counts
        w = SIZES[-1]
        per_row = max(1, (self.width + 1) // (w + 1))
        rows = max(1, (self.height - len(counts)) // max(1, len(counts)) // (w // 2 + 1))
        return w, [min(c, rows * per_row) for c in counts]

    def _lines(self, w: int, counts: list[int]) -> int:
        per_row = max(1, (self.width + 1) // (w + 1))
        return sum(1 + -(-c // per_row) * (w // 2 + 1) for c in counts)

    def lines(self) -> list[list[Segment]]:
        w, shown = self.plan()
        out: list[list[Segment]] = []
        for layer, n in zip(self.layers, shown, strict=True):
            out.append(self._heading(layer, n))
            out.extend(self._tiles(layer, n, w))
        return out[: self.height]

    def _heading(self, layer: dict[str, Any], shown: int) -> list[Segment]:
        count = f"{layer['units']}" if shown >= layer["units"] else \
            f"{shown} of {layer['units']}"
        parts = [Segment(str(layer["name"]), HEAD),
                 Segment(f" · {count} units · {layer['activation']}", DIM)]
        if not layer["trainable"]:
            parts.append(Segment(" · frozen", Style(color="cyan", bold=True)))
        if layer["ablated"]:
            off = ", ".join(str(u + 1) for u in layer["ablated"][:6])
            parts.append(Segment(f" · off: {off}", OFF))
        return parts

    def _tiles(self, layer: dict[str, Any], n: int, w: int) -> list[list[Segment]]:
        maps = np.asarray(layer["maps"], np.float64)[::-1]  # (GH, GW, U), ymax row first
        m = float(np.nanmax(np.abs(maps[..., :n]))) if n else 0.0
        limit = m if m > 0 else 1.0
        h = w // 2
        per_row = max(1, (self.width + 1) // (w + 1))
        out: list[list[Segment]] = []
        for start in range(0, n, per_row):
            units = range(start, min(n, start + per_row))
            canvas = np.empty((2 * h, len(units) * (w + 1) - 1, 3), np.uint8)
            canvas[:] = GAP_RGB
            for k, u in enumerate(units):
                pic = resample(maps[..., u], 2 * h, w)
                canvas[:, k * (w + 1): k * (w + 1) + w] = self.cmap.map(pic, -limit, limit)
            out.extend(half_block_lines(canvas))
            out.append(self._caption(layer, units, w))
        return out

    def _caption(self, layer: dict[str, Any], units: range, w: int) -> list[Segment]:
        line: list[Segment] = []
        for u in units:
            off = u in layer["ablated"]
            label = f"{'✕' if off else ''}{u + 1}".center(w)[:w]
            chosen = self.chosen == (layer["name"], u)
            style = CHOSEN if chosen else (OFF if off else DIM)
            line += [Segment(label, style), Segment(" ")]
        return line[:-1]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from yield_lines(self.lines())
