"""A small dialog for the drawn data's noise and validation split."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from nntui.app.screens.value_screen import parse_value
from nntui.data.drawn import MAX_NOISE


class DataOptionsScreen(ModalScreen[tuple[float, float] | None]):
    """Returns ``(noise, split)``, or None when cancelled; ``noise`` None: the data has
    no noise setting (its field is not shown)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, noise: float | None, split: float) -> None:
        super().__init__()
        self.noise, self.split = noise, split

    def compose(self) -> ComposeResult:
        with Vertical(id="data-options-dialog", classes="dialog"):
            yield Label("the data's noise and the share held out for validation; Enter "
                        "applies (a new noise draws the generator's points again, drawn "
                        "points stay), Esc cancels")
            if self.noise is not None:
                yield Label("noise")
                yield Input(f"{self.noise:g}", id="noise-input")
            yield Label("validation split")
            yield Input(f"{self.split:g}", id="split-input")
            yield Static("", id="data-options-error", classes="dialog--error", markup=False)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        try:
            noise = self.noise
            if noise is not None:
                noise = parse_value(self.query_one("#noise-input", Input).value.strip(),
                                    "noise", 0.0, MAX_NOISE)
            split = parse_value(self.query_one("#split-input", Input).value.strip(),
                                "the validation split", 0.0, 0.9)
        except ValueError as exc:
            self.query_one("#data-options-error", Static).update(str(exc))
            return
        self.dismiss((noise if noise is not None else 0.0, split))
