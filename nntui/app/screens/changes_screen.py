"""One line of config changes (``train.learning_rate=0.001, model.activation=sigmoid``):
what a fork changes, or what the second run of a race does differently."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


def parse_changes(text: str) -> list[str]:
    """``"a.b=1, c=[2,3]"`` -> ``["a.b=1", "c=[2,3]"]`` (a comma starts a new change only
    before ``key=``, so ``model.hidden=[64,64]`` stays whole).

    Raises:
        ValueError: a change that is not ``key=value`` (the message quotes it).
    """
    changes = [p.strip() for p in re.split(r",\s*(?=[\w.]+\s*=)", text) if p.strip()]
    bad = [p for p in changes if "=" not in p]
    if bad:
        raise ValueError(f"each change is key=value. Received: {bad[0]!r}")
    return changes


class ChangesScreen(ModalScreen[list[str] | None]):
    """Asks for the changes; dismissed with the list (None: cancelled).

    Args:
        prompt: what the changes are for.
        placeholder: an example.
        allow_empty: an empty line is an answer (no change), not a mistake.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Change nothing, start nothing")]

    def __init__(self, prompt: str, placeholder: str, *, allow_empty: bool = True) -> None:
        super().__init__()
        self.prompt, self.placeholder, self.allow_empty = prompt, placeholder, allow_empty

    def compose(self) -> ComposeResult:
        with Static(classes="dialog"):
            yield Label(self.prompt)
            yield Input(placeholder=self.placeholder, id="changes")
            yield Label("", id="changes-error", classes="dialog--error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            changes = parse_changes(event.value)
            if not changes and not self.allow_empty:
                raise ValueError("type at least one change, e.g. " + self.placeholder)
        except ValueError as exc:
            self.query_one("#changes-error", Label).update(str(exc))
            return
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)
