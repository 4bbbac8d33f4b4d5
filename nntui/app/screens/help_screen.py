"""Help: every key of the screen below (its own, its widgets', the app's) and what each
dashboard panel shows."""

from __future__ import annotations

from collections.abc import Iterator

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

PANELS = (
    ("loss and metrics", "training values per step (smoothed) and validation values per epoch"),
    ("weights and gradients", "histograms of the chosen layer now, and over time "
                              "(bright = many values); [ and ] or a click in the table "
                              "choose the layer"),
    ("gradient norm", "‖∂L/∂W‖ per layer on a log axis: vanishing gradients fall, exploding "
                      "ones rise"),
    ("layer table", "per layer: gradient norm (frozen: not trained), mean and spread of its "
                    "outputs, share of dead ReLU units (0 on the whole batch)"),
    ("architecture panel", "the architecture's own view (decision boundary, gates, samples); "
                           "v, p and u change what it shows"),
    ("status line", "steps/s shown: how fast steps reach the screen (slowed to watch small "
                    "runs; w switches); compute: samples a second while a step runs; wall: "
                    "time since the run started"),
)
APP_KEYS = (("ctrl+p", "Commands", "the command palette: every action by name"),
            ("f1", "Help", "this screen"),
            ("ctrl+q", "Quit", "quit from anywhere"))


def _key(binding: Binding) -> str:
    return binding.key_display or binding.key.split(",")[0]


def screen_keys(screen: Screen[object]) -> Iterator[tuple[str, str, str]]:
    """``(key, name, what it does)`` for every key that works on ``screen``: its own
    bindings, then those of its widgets (e.g. the architecture panel's v, p, u)."""
    seen: set[tuple[str, str]] = set()
    owners: list[DOMNode] = [screen, *(w for w in screen.query("*")
                                       if type(w).__module__.startswith("nntui."))]
    for owner in owners:
        for binding in owner.BINDINGS:
            if not isinstance(binding, Binding):
                continue
            action = binding.action.split("(")[0]
            if owner.check_action(action, ()) is False or (binding.key, action) in seen:
                continue
            seen.add((binding.key, action))
            yield _key(binding), binding.description, binding.tooltip or ""


def keys_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for key, name, what in rows:
        table.add_row(Text(key, "bold"), name, Text(what, "dim"))
    return table


class HelpScreen(ModalScreen[None]):
    """Keys and panels; any of Esc, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q,f1", "dismiss(None)", "Close")]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below
        self.rows = [*screen_keys(below), *APP_KEYS]
        """``(key, name, what it does)`` of every key shown."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Static(Text("Keys", "bold underline"))
            yield Static(keys_table(self.rows), id="help-keys")
            if self.below.query("#dashboard"):
                panels = Table.grid(padding=(0, 2))
                for name, what in PANELS:
                    panels.add_row(Text(name, "bold"), what)
                yield Static(Text("\nPanels", "bold underline"))
                yield Static(panels)
