"""The one-line run status: state, epoch, step, speed, backend, learning rate, times."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static

from nntui.app.history import RunHistory

STATE_STYLES = {"running": "bold green", "paused": "bold yellow", "finished": "bold cyan",
                "stopped": "bold cyan", "failed": "bold red", "diverged": "bold red",
                "starting": "dim", "replay": "bold magenta"}


def clock(seconds: float | None) -> str:
    """``75.2`` -> ``"1:15"``; ``None`` -> ``"?"``."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def status_text(h: RunHistory, state: str | None = None, compact: bool = False) -> Text:
    """The status line's text for ``h`` (``state`` overrides ``h.state``); ``compact``
    fits 80 columns."""
    state = state or h.state
    text = Text()
    text.append(f"● {state}", STATE_STYLES.get(state, "bold"))
    epochs = f"/{h.total_epochs}" if h.total_epochs else ""
    steps = f"/{h.total_steps}" if h.total_steps else ""
    parts = [f"epoch {h.epoch}{epochs}", f"step {h.step}{steps}",
             f"{h.samples_per_second:,.0f} samples/s", h.backend,
             f"lr {h.learning_rate:.3g}", f"{clock(h.elapsed)} elapsed",
             f"{clock(h.remaining)} left"]
    if compact:
        parts = [f"ep {h.epoch}{epochs}", f"step {h.step}{steps}",
                 f"{h.samples_per_second:,.0f}/s", h.backend, f"lr {h.learning_rate:.3g}",
                 f"{clock(h.elapsed)}+{clock(h.remaining)}"]
    for part in parts:
        text.append(" · ", "dim")
        text.append(part)
    if h.pace:
        text.append(" · ", "dim")
        text.append(f"watch {h.pace:g}/s" if compact else f"watch pace {h.pace:g} steps/s",
                    "bold magenta")
    return text


class StatusLine(Static):
    """Shows :func:`status_text`; redrawn by the screen's frame timer."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; }
    """

    _shown: tuple[RunHistory, str | None] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, history: RunHistory, state: str | None = None) -> None:
        self._shown = (history, state)
        text = status_text(history, state)
        if text.cell_len > self.content_size.width:
            text = status_text(history, state, compact=True)
        self.update(text, layout=False)  # one line, always: no layout pass per frame
