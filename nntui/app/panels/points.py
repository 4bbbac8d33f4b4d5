"""Perceptron and MLP: decision regions over the data, one neuron's output, a fit curve."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import RenderableType
from rich.table import Table

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel, resample
from nntui.app.panels.neurons import tiles_section
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz import DecisionBoundary, Heatmap, Scatter

SIDE_BY_SIDE = 70  # columns from which the boundary and the neuron map sit side by side


def boundary(extras: dict[str, Any], width: int, height: int) -> DecisionBoundary:
    """The class regions resampled to ``width × 2·(height − 1)`` dots, with the points."""
    grid = resample(extras["grid"], 2 * max(1, height - 1), max(1, width))
    return DecisionBoundary(grid, extras["points"], extras["labels"], extras["extent"],
                            class_names=extras.get("class_names"))


def neuron_map(extras: dict[str, Any], unit: int, width: int, height: int) -> Heatmap:
    """Unit ``unit`` of the first hidden layer over the input plane (ymax on top)."""
    plane = extras["neurons"][..., unit][::-1]  # (GH, GW), ymax row first
    return Heatmap(resample(plane, 2 * max(1, height - 1), max(1, width)), "viridis",
                   mode="half")


@register_arch_panel("points")
class PointsPanel(SectionPanel):
    """Decision boundary redrawn as it learns; a chosen first-layer neuron's output over
    the plane (``u`` cycles); for 1-D regression the prediction curve over the data."""

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        kind = extras.get("kind")
        if kind == "regression":
            return [Section("prediction (model) over the training data",
                            lambda w, h: self._fit_curve(extras, w, h), 8)]
        if kind != "boundary":
            from nntui.app.panels.images import ImagesPanel  # MLP on images

            return ImagesPanel.image_sections(self, extras)
        return [*self._boundary_sections(extras, width), *self._tiles(extras)]

    chosen: tuple[str, int] | None = None
    """The unit the surgery bar acts on (marked in the neuron tiles)."""

    def _tiles(self, extras: dict[str, Any]) -> list[Section]:
        section = tiles_section(extras, self.chosen)
        return [] if section is None else [section]

    def _boundary_sections(self, extras: dict[str, Any], width: int) -> list[Section]:
        n = extras["neurons"].shape[-1] if "neurons" in extras else 0
        if n and width >= SIDE_BY_SIDE:
            return [Section(self._both_title(extras, n), lambda w, h: self._both(extras, w, h), 8)]
        out = [Section("decision regions (● training points)",
                       lambda w, h: boundary(extras, w, h), 8)]
        if n:
            out.append(Section(self._neuron_title(extras, n),
                               lambda w, h: neuron_map(extras, self.pick(n, "unit"), w, h), 8))
        return out

    def _neuron_title(self, extras: dict[str, Any], n: int) -> str:
        layer = extras.get("neuron_layer", "hidden")
        return f"{layer} unit {self.pick(n, 'unit') + 1}/{n} (u: next)"

    def _both_title(self, extras: dict[str, Any], n: int) -> str:
        return f"decision regions  │  {self._neuron_title(extras, n)}"

    def _both(self, extras: dict[str, Any], width: int, height: int) -> RenderableType:
        left = (width - 1) * 3 // 5
        grid = Table.grid(padding=(0, 1))
        grid.add_row(boundary(extras, left, height),
                     neuron_map(extras, self.pick(extras["neurons"].shape[-1], "unit"),
                                width - left - 1, height))
        return grid

    def _fit_curve(self, extras: dict[str, Any], width: int, height: int) -> RenderableType:
        data, curve = extras["points"], np.stack([extras["curve_x"], extras["curve_y"]], axis=1)
        points = np.concatenate([data, curve])
        labels = np.concatenate([np.zeros(len(data)), np.ones(len(curve))]).astype(np.int64)
        return Scatter(points, labels, width=width, height=max(2, height - 2),
                       class_names=["data", "model"])
