"""A small dialog to type one number (a dropout rate, an L2 factor, a noise, a split)."""

from __future__ import annotations

import math

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


def parse_value(text: str, what: str, low: float, high: float, below_high: bool = False) -> float:
    """``text`` as a number from ``low`` to ``high`` (``below_high``: excluding it).

    Raises:
        ValueError: not a number, or out of range (the message says which).
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number. Received: {text!r}") from None
    top = value < high if below_high else value <= high
    if not math.isfinite(value) or not low <= value or not top:
        bound = f"below {high:g}" if below_high else f"to {high:g}"
        raise ValueError(f"{what} must be from {low:g} {bound}. Received: {text}")
    return value


class ValueScreen(ModalScreen[float | None]):
    """Returns the typed number, or None when cancelled.

    Args:
        what: what the number is ("the dropout rate").
        current: the value now.
        low, high: its range; ``below_high`` excludes ``high``.
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, what: str, current: float, low: float, high: float,
                 below_high: bool = False) -> None:
        super().__init__()
        self.what, self.current = what, current
        self.low, self.high, self.below_high = low, high, below_high

    def compose(self) -> ComposeResult:
        with Vertical(id="value-dialog", classes="dialog"):
            yield Label(f"{self.what} (now {self.current:g}); Enter applies, Esc cancels")
            yield Input(f"{self.current:g}", id="value-input")
            yield Static("", id="value-error", classes="dialog--error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            value = parse_value(event.value.strip(), self.what, self.low, self.high,
                                self.below_high)
        except ValueError as exc:
            self.query_one("#value-error", Static).update(str(exc))
            self.query_one(Input).add_class("-invalid")
            return
        self.dismiss(value)
