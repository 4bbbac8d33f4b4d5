"""Perceptron and MLP: decision regions over the data, one neuron's output, a fit curve."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import RenderableType
from rich.table import Table
from textual import events
from textual.binding import Binding

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.panels.drawing import Drawing
from nntui.app.panels.neurons import tiles_section
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz import DecisionBoundary, Heatmap, Scatter
from nntui.viz.boxes import resample

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
    the plane (``u`` cycles); every neuron's tile; for 1-D regression the prediction
    curve over the data. While drawing (``d`` on the live dashboard) it is one picture
    to click on."""

    BINDINGS = [
        *SectionPanel.BINDINGS,
        *(Binding(str(k), f"draw_class({k - 1})", f"class {k}", show=False,
                  tooltip=f"Drawing: clicks add points of class {k}") for k in range(1, 10)),
        Binding("0", "draw_class(-1)", "Erase", show=False,
                tooltip="Drawing: clicks erase the points near them"),
        Binding("o", "draw_options", "Noise/split", tooltip="Drawing: the data's noise and "
                "the share held out for validation"),
        Binding("c", "draw_save", "Save CSV", tooltip="Drawing: save the drawn data as a CSV "
                "(and a config that trains on it)"),
    ]
    COMMANDS_TABLE = {
        **SectionPanel.COMMANDS_TABLE,
        "draw_class(-1)": ("Draw: clicks erase points", "0"),
        "draw_options": ("Draw: the data's noise and validation split", "o"),
        "draw_save": ("Draw: save the drawn data as a CSV", "c"),
    }
    drawing: Drawing | None = None
    """The data being drawn on (None: not drawing)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("draw_"):
            return self.drawing is not None
        return True

    def action_draw_class(self, label: int) -> None:
        if self.drawing is not None:
            self.notify(self.drawing.choose(label), timeout=2)
            self._redraw()

    def action_draw_options(self) -> None:
        getattr(self.screen, "action_draw_options", lambda: None)()

    def action_draw_save(self) -> None:
        getattr(self.screen, "action_draw_save", lambda: None)()

    def on_click(self, event: events.Click | None = None) -> None:
        if self.drawing is None or event is None:
            super().on_click()
            return
        offset = event.get_content_offset(self)
        if offset is not None:  # line 0 is the title
            self.drawing.click(offset.x, offset.y - 1)
            self._redraw()

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        kind = extras.get("kind")
        if self.drawing is not None and kind == "boundary":
            drawing = self.drawing
            return [Section(drawing.title(), lambda w, h: drawing.picture(extras, w, h), 8)]
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
