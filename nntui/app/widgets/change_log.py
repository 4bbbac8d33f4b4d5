"""The changes made to a run while it learned (surgery, redrawn data), as the line under
the status: the latest first, each with the step after which it took effect."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nntui.engine.events import ModelChanged

SHOWN = 3  # changes on the line


class ChangeLog:
    """Every :class:`~nntui.engine.events.ModelChanged` of a run, in order."""

    def __init__(self) -> None:
        self.events: list[ModelChanged] = []
        self._drawn = -1

    def add(self, event: ModelChanged) -> None:
        self.events.append(event)

    def text(self) -> Text:
        text = Text("changes: ", "bold")
        for i, event in enumerate(reversed(self.events[-SHOWN:])):
            text.append(" · " if i else "", "dim")
            text.append(f"step {event.step} ", "dim")
            text.append(event.text or event.action)
        if len(self.events) > SHOWN:
            text.append(f"  (+{len(self.events) - SHOWN} before; all in metrics.jsonl)", "dim")
        return text

    def show(self, line: Static) -> None:
        """Draw the line when a change arrived since the last call."""
        if len(self.events) == self._drawn:
            return
        self._drawn = len(self.events)
        line.set_class(bool(self.events), "-shown")
        if self.events:
            line.update(self.text())
