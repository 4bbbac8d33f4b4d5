"""The timeline under the panels: where the run is, what it kept, and where you are.

One line: a label, then a bar from step 0 to the run's last step. ``·`` marks a kept
snapshot, ``◆`` a kept checkpoint, ``▲`` the step the panels show while travelling
(``█`` fills the bar up to it). Keys (when focused, ``t`` focuses it): ``←``/``→`` the
previous or next kept snapshot, ``shift+←``/``→`` checkpoint, ``home`` the first,
``end`` or ``esc`` back to now, ``i`` the inspector on the checkpoint there, ``f`` a
fork from it. A click on the bar goes to the snapshot nearest the clicked step.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

LABEL_WIDTH = 26  # "▲ step 12,345 of 67,890 " fits


class Timeline(Widget, can_focus=True):
    """The run's steps, its kept snapshots and checkpoints, and the travelled-to step."""

    DEFAULT_CSS = """
    Timeline { height: 1; padding: 0 1; }
    Timeline:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "◀ snapshot", key_display="←",
                tooltip="The panels at the previous kept snapshot"),
        Binding("right", "move(1)", "snapshot ▶", key_display="→",
                tooltip="The panels at the next kept snapshot"),
        Binding("shift+left", "checkpoint(-1)", "◀ checkpoint", show=False,
                tooltip="The previous kept checkpoint"),
        Binding("shift+right", "checkpoint(1)", "checkpoint ▶", show=False,
                tooltip="The next kept checkpoint"),
        Binding("home", "first", "First", show=False, tooltip="The first kept snapshot"),
        Binding("end,escape", "live", "Now", key_display="end",
                tooltip="Back to the run as it is now"),
        Binding("i", "inspect", "Inspect here", tooltip="The inspector on the kept "
                "checkpoint at or before this step"),
        Binding("f", "fork", "Fork here", tooltip="Train on from the kept checkpoint at or "
                "before this step, with changed settings, in a new run folder"),
    ]

    class Moved(Message):
        """Show the panels at ``step`` (None: as the run is now)."""

        def __init__(self, step: int | None) -> None:
            super().__init__()
            self.step = step

    class Asked(Message):
        """``what`` ("inspect" or "fork") at the kept checkpoint of ``step``."""

        def __init__(self, what: str, step: int) -> None:
            super().__init__()
            self.what, self.step = what, step

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.end = 0
        self.snapshots: list[int] = []
        self.checkpoints: list[int] = []
        self.at: int | None = None
        """The travelled-to step (None: now)."""

    def set_run(self, end: int, snapshots: list[int], checkpoints: list[int]) -> None:
        """The run's last step and the steps of its kept snapshots and checkpoints."""
        changed = (end, snapshots, checkpoints) != (self.end, self.snapshots, self.checkpoints)
        self.end, self.snapshots, self.checkpoints = end, snapshots, checkpoints
        if changed:
            self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # moving ------------------------------------------------------------------------------
    def go(self, step: int | None) -> None:
        """Travel to ``step`` (None: now) and tell the screen."""
        self.at = step
        self.refresh()
        self.post_message(self.Moved(step))

    def _here(self) -> int:
        return self.end if self.at is None else self.at

    def action_move(self, direction: int) -> None:
        self._step_through(self.snapshots, direction)

    def action_checkpoint(self, direction: int) -> None:
        self._step_through(self.checkpoints, direction)

    def _step_through(self, steps: list[int], direction: int) -> None:
        here = self._here()
        if direction < 0:
            found = [s for s in steps if s < here]
            if found:
                self.go(found[-1])
            return
        if self.at is None:
            return  # already at now
        later = [s for s in steps if s > here]
        self.go(later[0] if later else None)  # past the last kept one: now

    def action_first(self) -> None:
        if self.snapshots:
            self.go(self.snapshots[0])

    def action_live(self) -> None:
        """Back to now; when already there, hand the keys back to the screen."""
        if self.at is not None:
            self.go(None)
        else:
            self.screen.set_focus(None)

    def action_inspect(self) -> None:
        self.post_message(self.Asked("inspect", self._here()))

    def action_fork(self) -> None:
        self.post_message(self.Asked("fork", self._here()))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        width = self._bar_width()
        if offset is None or width <= 4 or not self.snapshots:
            return
        self.focus()
        self.go(self.step_at(offset.x - LABEL_WIDTH, width))

    def step_at(self, column: int, width: int) -> int | None:
        """The kept snapshot at or before the step under bar ``column`` (None: the bar's
        last column, the run now)."""
        if column >= width - 1:
            return None
        step = round(max(column, 0) / max(width - 1, 1) * self.end)
        before = [s for s in self.snapshots if s <= step] or self.snapshots[:1]
        return before[-1]

    # drawing -----------------------------------------------------------------------------
    def _bar_width(self) -> int:
        return self.size.width - LABEL_WIDTH

    def render(self) -> Text:
        if self.at is not None:
            label = f"▲ step {self.at:,} of {self.end:,}"  # ▲ as on the bar
        else:  # unfocused, it says how to start travelling (t is not in a narrow footer)
            label = f"{'●' if self.has_focus else 't:'} now · step {self.end:,}"
        text = Text(f"{label:<{LABEL_WIDTH}}",
                    style="bold" if self.at is None else "bold magenta")
        width = self._bar_width()
        if width > 4:
            text.append_text(self.bar(width))
        return text

    def bar(self, width: int) -> Text:
        """The bar: a cell per ``end / width`` steps."""
        cells = ["─"] * width
        styles = ["dim"] * width

        def col(step: int) -> int:
            return min(width - 1, round(step / max(self.end, 1) * (width - 1)))

        if self.at is not None:
            for i in range(col(self.at)):
                cells[i], styles[i] = "━", "magenta"
        for s in self.snapshots:
            cells[col(s)], styles[col(s)] = "·", "bold"
        for s in self.checkpoints:
            cells[col(s)], styles[col(s)] = "◆", "cyan"
        if self.at is not None:
            cells[col(self.at)], styles[col(self.at)] = "▲", "bold magenta"
        text = Text()
        start = 0
        for i in range(1, width + 1):  # one span per run of a style: drawing a span per
            if i == width or styles[i] != styles[start]:  # cell cost ~6 ms a frame
                text.append("".join(cells[start:i]), style=styles[start])
                start = i
        return text
