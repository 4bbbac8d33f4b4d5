"""Gradient norm of every layer over the steps: one log-scale strip per layer.

A strip per layer (:class:`~nntui.viz.bars.NormSeries`) instead of one plotext plot:
it costs about a millisecond instead of tens, and vanishing (falling) or exploding
(rising) gradients read the same way.
"""

from __future__ import annotations

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text
from textual.geometry import Size

from nntui.app.history import RunHistory
from nntui.app.widgets.panel import Panel
from nntui.viz.bars import NormSeries

EXPLODING = ("⚠ gradients exploding: try a lower learning rate (-) or clipping (the "
             "launcher's clipnorm field)")


class GradNormPanel(Panel):
    """‖∂L/∂W‖ per layer over time, from the trainer's snapshots; a warning line and a red
    border while the gradient watch flags the global norm as exploding."""

    DEFAULT_CSS = """
    GradNormPanel.-exploding { border: round $error; }
    """

    MIN_INTERVAL = 1.0
    PLACEHOLDER = "gradient norms appear at the first snapshot"

    def data_version(self, history: RunHistory) -> object:
        return (history.snapshot_version, history.exploding)

    def tick(self) -> None:
        if self.history is not None:  # the marker shows at once, not at the next redraw
            self.set_class(self.history.exploding, "-exploding")
        super().tick()

    def build(self, history: RunHistory, size: Size) -> RenderableType:
        if history.update_rule:
            return Text(f"trained by {history.update_rule}: no gradients", style="dim")
        series = [(name, s) for name, s in history.grad_norms.items() if len(s)]
        frozen = [name for name, s in history.layers.items() if s.frozen]
        note = Text(f"frozen, no gradients: {', '.join(frozen)}", style="dim", no_wrap=True,
                    overflow="ellipsis") if frozen else None
        if not series and history.layer_names():  # snapshots came, with no gradients
            return note or Text("no gradients: the layers with weights are frozen, or "
                                "trained by a rule without gradients (the perceptron's)",
                                style="dim")
        if not series:
            return Text(self.PLACEHOLDER, style="dim")
        height = size.height - bool(history.exploding) - bool(note)
        per_layer = max(height // len(series), 2)  # title + bars (+ axis, min/max)
        bars = max(1, per_layer - 3)
        shown = series[: max(1, height // 3)]
        strips = [NormSeries(np.asarray(s.y), width=size.width, height=bars, title=name,
                             stretch=True, x_labels=(f"step {s.x[0]:g}", f"{s.x[-1]:g}"))
                  for name, s in shown]
        head = [Text(EXPLODING, style="bold red", no_wrap=True, overflow="ellipsis")
                ] if history.exploding else []
        return Group(*head, *strips, *([note] if note else []))
