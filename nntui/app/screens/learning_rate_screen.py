"""A small dialog to type a new learning rate."""

from __future__ import annotations

import math

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


def parse_learning_rate(text: str) -> float:
    """``"3e-4"`` -> ``0.0003``.

    Raises:
        ValueError: not a positive finite number (the message says so).
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"the learning rate must be > 0. Received: {text}")
    return value


class LearningRateScreen(ModalScreen[float | None]):
    """Returns the typed learning rate, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, current: float) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="lr-dialog", classes="dialog"):
            yield Label(f"learning rate (now {self.current:g}); Enter applies, Esc cancels")
            yield Input(f"{self.current:g}", id="lr-input")
            yield Static("", id="lr-error", classes="dialog--error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            value = parse_learning_rate(event.value.strip())
        except ValueError as exc:
            self.query_one("#lr-error", Static).update(str(exc))
            self.query_one(Input).add_class("-invalid")
            return
        self.dismiss(value)
