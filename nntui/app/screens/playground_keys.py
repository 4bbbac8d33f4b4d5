"""The live dashboard's playground keys: ``s`` the surgery bar, ``d`` drawing on the data
(and the drawing panel's ``o`` and ``c``, which act through the screen)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding

from nntui.app import drawing_control
from nntui.app.widgets.surgery_bar import SurgeryBar

PLAYGROUND_KEYS = [
    Binding("s", "surgery", "Surgery", tooltip="Change the model while it learns: freeze a "
            "layer, switch a unit off, re-initialise, dropout, L2", id="surgery"),
    Binding("d", "draw", "Draw", tooltip="Draw on the 2-D data: clicks add or erase points, "
            "the network trains on them from its next epoch", id="draw"),
    Binding("L", "landscape", "Landscape", tooltip="The loss around the weights now, the "
            "path the optimizer took over it, the line from the initial weights", id="landscape"),
]
PLAYGROUND_COMMANDS = {
    "surgery": ("Surgery: freeze, switch units off, re-initialise, dropout, L2", "s"),
    "draw": ("Draw: add or erase points of the 2-D data", "d"),
    "landscape": ("Landscape: the loss around the weights and the optimizer's path", "L"),
}


class PlaygroundKeys:
    """Mixed into the live dashboard (which has ``training``, ``spec`` and panels)."""

    def compose(self) -> ComposeResult:
        yield from super().compose()  # type: ignore[misc]
        yield SurgeryBar()

    def action_surgery(self) -> None:
        """Open the surgery bar (or close it)."""
        bar = self.query_one(SurgeryBar)  # type: ignore[attr-defined]
        if bar.is_open:
            bar.action_close()
        else:
            bar.open()

    def action_landscape(self) -> None:
        run = getattr(self, "training", None)
        if run is None or run.trainer is None:
            return
        from nntui.app.screens.landscape_screen import LandscapeScreen

        self.app.push_screen(LandscapeScreen(run))  # type: ignore[attr-defined]

    def action_draw(self) -> None:
        drawing_control.toggle_drawing(self)

    def action_draw_options(self) -> None:
        drawing_control.options(self)

    def action_draw_save(self) -> None:
        drawing_control.save(self)

    query_one: Any
