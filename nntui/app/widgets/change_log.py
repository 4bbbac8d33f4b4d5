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

    def latest(self) -> list[tuple[ModelChanged, int]]:
        """The last :data:`SHOWN` changes, newest first, each with how many changes it
        stands for: a run of data changes (points drawn one by one), or of changes of one
        kind at one step."""
        out: list[tuple[ModelChanged, int]] = []
        for event in reversed(self.events):
            last = out[-1][0] if out else None
            if last is not None and last.action == event.action and (
                    event.action == "data" or last.step == event.step):
                out[-1] = (out[-1][0], out[-1][1] + 1)
            elif len(out) < SHOWN:
                out.append((event, 1))
            else:
                break
        return out

    def text(self) -> Text:
        text = Text("changes: ", "bold")
        shown = self.latest()
        for i, (event, times) in enumerate(shown):
            text.append(" · " if i else "", "dim")
            text.append(f"step {event.step} ", "dim")
            text.append(event.text or event.action)
            if times > 1:
                text.append(f" (and {times - 1} more)", "dim")
        if sum(times for _, times in shown) < len(self.events):
            text.append("  (all in metrics.jsonl)", "dim")
        return text

    def show(self, line: Static) -> None:
        """Draw the line when a change arrived since the last call."""
        if len(self.events) == self._drawn:
            return
        self._drawn = len(self.events)
        line.set_class(bool(self.events), "-shown")
        if self.events:
            line.update(self.text())
