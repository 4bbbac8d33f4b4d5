"""Gradient norm of every layer over the steps, on a log axis (vanishing / exploding)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.widgets.panel import Panel
from nntui.viz.plot import line_plot


class GradNormPanel(Panel):
    """‖∂L/∂W‖ per layer, one line each, from the trainer's snapshots."""

    PLACEHOLDER = "gradient norms appear at the first snapshot"

    def data_version(self, history: RunHistory) -> object:
        return history.snapshot_version

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        series = {name: (s.x, s.y) for name, s in history.grad_norms.items() if len(s)}
        if not series:
            return Text(self.PLACEHOLDER, style="dim")
        return line_plot(series, width=size.width, height=size.height, logy=True)
