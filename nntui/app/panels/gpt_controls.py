"""The GPT panel's controls: a prompt box, the temperature and top-k keys, and handing the
new settings to the live run (next snapshot, or at once while it is paused).

The settings are a :class:`~nntui.panel_data.gpt.SamplingSettings` in the run's
``session.info["sampling"]``; the trainer thread reads it at its next snapshot. While
training is paused (or over) the trainer is idle, so the panel writes a fresh sample
itself, on a worker thread, from the same model.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from nntui.errors import NntuiError

TEMPERATURES = (0.8, 1.0, 1.5, 0.0, 0.5)
"""``t`` steps through these (0: greedy)."""
TOP_KS = (None, 40, 10, 3, 1)
"""``k`` steps through these (None: every token)."""


def parse_prompt(text: str) -> str:
    r"""What was typed, with ``\n`` as a line break (an input box has one line)."""
    return text.replace("\\n", "\n")


class PromptScreen(ModalScreen[str | None]):
    """Returns the typed prompt (``\\n`` → line break), or None when cancelled; refuses
    text the run's tokenizer cannot encode, saying which character."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, current: str, tokenizer: Any) -> None:
        super().__init__()
        self.current, self.tokenizer = current, tokenizer

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog", classes="dialog"):
            yield Label("prompt the model continues (\\n: a new line); Enter writes, "
                        "Esc cancels")
            yield Input(self.current.replace("\n", "\\n"), id="prompt-input")
            yield Static("", id="prompt-error", classes="dialog--error", markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = parse_prompt(event.value)
        try:
            if not len(self.tokenizer.encode(text)):
                raise NntuiError("type at least one character")
        except NntuiError as exc:
            self.query_one("#prompt-error", Static).update(f"{exc}. Received: {text!r}")
            self.query_one(Input).add_class("-invalid")
            return
        self.dismiss(text)


def live_session(screen: Any) -> tuple[Any, Any] | None:
    """``(session, trainer)`` of the screen's live run, or None (a replay has no model)."""
    run = getattr(screen, "training", None)
    session = getattr(run, "session", None)
    if session is None or "tokenizer" not in getattr(session, "info", {}):
        return None
    return session, getattr(run, "trainer", None)


def next_in(values: tuple[Any, ...], current: Any) -> Any:
    """The value after ``current`` in ``values`` (the first when it is not there)."""
    return values[(values.index(current) + 1) % len(values)] if current in values else values[0]
