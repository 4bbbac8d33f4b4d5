"""The run's status: state, epoch, step, the pace on screen, the compute throughput,
wall-clock time, learning rate and backend, each labelled.

Two speeds are shown because they differ on purpose: ``steps/s`` is how fast the steps
reach the screen (slowed to a watchable pace on small runs), ``compute`` is how many
samples a second the trainer's steps process while they run. The line shortens its
labels to fit, and wraps onto its second line rather than cut (below 150 columns it
always has two, so the panels do not jump when it wraps).
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static

from nntui.app.history import RunHistory

STATE_STYLES = {"running": "bold green", "paused": "bold yellow", "finished": "bold cyan",
                "stopped": "bold cyan", "failed": "bold red", "diverged": "bold red",
                "starting": "dim", "replay": "bold magenta"}
PACE_STYLE = "bold magenta"


def clock(seconds: float | None) -> str:
    """``75.2`` -> ``"1:15"``; ``None`` -> ``"?"``."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def _count(x: float) -> str:
    """``41234`` -> ``"41k"``; ``1.2e6`` -> ``"1.2M"``; small numbers as they are."""
    if x >= 1e6:
        return f"{x / 1e6:.3g}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:,.0f}"


def _pace_part(h: RunHistory, short: bool) -> tuple[str, str]:
    """How fast steps reach the screen, and the pace that holds them back (if any)."""
    running = h.state in ("running", "starting")
    if not running and (not h.pace or h.state != "paused"):
        return "", ""  # an ended run has no pace; a paused one keeps its own
    if short:
        pace = f"watch {h.pace:g}/s" if h.pace else ""
    elif h.pace:
        who = "auto " if h.pace_why == "auto" else ""
        pace = f"{who}watch pace {h.pace:g}/s; w: full speed"
    else:
        pace = "full speed; w: watch pace"
    if not running:
        return pace, "dim"
    rate = h.steps_per_second()
    shown = f"{rate:.3g}" if rate < 100 else f"{rate:,.0f}"
    label = f"{shown} steps/s" if short else f"{shown} steps/s shown"
    return (f"{label} ({pace})" if pace else label), PACE_STYLE if h.pace else ""


def status_parts(h: RunHistory, state: str, short: bool) -> list[tuple[str, str]]:
    """``(text, style)`` of each part of the status line."""
    epochs = f"/{h.total_epochs}" if h.total_epochs else ""
    steps = f"/{h.total_steps}" if h.total_steps else ""
    pace = _pace_part(h, short)
    parts = [(f"● {state}", STATE_STYLES.get(state, "bold")),
             (f"{'ep' if short else 'epoch'} {h.epoch}{epochs}", ""),
             (f"step {h.step}{steps}", "")]
    if pace[0]:
        parts.append(pace)
    compute = (f"compute {_count(h.samples_per_second)} samples/s" if short
               else f"compute {h.samples_per_second:,.0f} samples/s")
    parts += [(compute, ""), (f"wall {clock(h.wall_elapsed)}", "")]
    if h.state in ("running", "starting") and h.remaining is not None:
        parts.append((f"{clock(h.remaining)} left", ""))
    parts += [(f"lr {h.learning_rate:.3g}", ""), (h.backend, "")]
    return parts


def status_text(h: RunHistory, state: str | None = None, compact: bool = False,
                width: int | None = None) -> Text:
    """The status text for ``h`` (``state`` overrides ``h.state``); ``compact`` uses
    short labels; with ``width``, parts that would pass it start a new line."""
    parts = status_parts(h, state or h.state, compact)
    text = Text()
    line = 0
    for i, (part, style) in enumerate(parts):
        sep = " · " if i else ""
        if width is not None and i and line + len(sep) + len(part) > width:
            text.append("\n")
            sep, line = "", 0
        text.append(sep, "dim")
        text.append(part, style)
        line += len(sep) + len(part)
    return text


class StatusLine(Static):
    """Shows :func:`status_text`; redrawn by the screen's frame timer."""

    DEFAULT_CSS = """
    StatusLine { height: 2; padding: 0 1; background: $panel; }
    .-wide StatusLine { height: auto; max-height: 2; }
    """

    _shown: tuple[RunHistory, str | None] | None = None
    _lines = 1

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, history: RunHistory, state: str | None = None) -> None:
        self._shown = (history, state)
        width = max(self.content_size.width, 20) if self.content_size.width else 200
        text = status_text(history, state)
        lines = 1
        if text.cell_len > width:
            text = status_text(history, state, compact=True, width=width)
            lines = text.plain.count("\n") + 1
        relayout = lines != self._lines
        self._lines = lines
        self.update(text, layout=relayout)  # a layout pass only when the height changes
