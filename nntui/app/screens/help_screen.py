"""Help: the keys of the screen below and what each dashboard panel shows."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

PANELS = (
    ("loss and metrics", "training values per step (smoothed) and validation values per epoch"),
    ("weights and gradients", "histograms of the chosen layer now, and over time "
                              "(bright = many values); [ and ] or a click in the table "
                              "choose the layer"),
    ("gradient norm", "‖∂L/∂W‖ per layer on a log axis: vanishing gradients fall, exploding "
                      "ones rise"),
    ("layer table", "per layer: gradient norm, mean and spread of its outputs, share of dead "
                    "ReLU units (0 on the whole batch)"),
    ("architecture panel", "the architecture's own view (decision boundary, gates, samples)"),
)


def keys_table(screen: Screen[object]) -> Table:
    table = Table.grid(padding=(0, 2))
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and screen.check_action(binding.action, ()) is not False:
            key = binding.key_display or binding.key.split(",")[0]
            table.add_row(Text(key, "bold"), binding.description,
                          Text(binding.tooltip or "", "dim"))
    table.add_row(Text("ctrl+p", "bold"), "Commands", Text("the command palette", "dim"))
    return table


class HelpScreen(ModalScreen[None]):
    """Keys and panels; any of Esc, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q,f1", "dismiss(None)", "Close")]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        panels = Table.grid(padding=(0, 2))
        for name, what in PANELS:
            panels.add_row(Text(name, "bold"), what)
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Static(Text("Keys", "bold underline"))
            yield Static(keys_table(self.below))
            yield Static(Text("\nPanels", "bold underline"))
            yield Static(panels)
