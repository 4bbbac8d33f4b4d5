"""How fast a live run plays: at a pace a learner can watch, or at full speed.

A tiny preset trains 40 epochs in a second or two, too fast to see anything. The
launcher's pace field says ``auto`` (the default), ``full`` or a number of steps a
second. With ``auto``, :class:`AutoPace` times the first steps at full speed, estimates
how long the whole run would take, and picks (:func:`choose_pace`): a run shorter than
:data:`FULL_SPEED_ABOVE` seconds plays over about :data:`WATCH_SECONDS`; a longer one
keeps full speed. The pace only adds waits between steps: the numbers are the same.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from nntui.engine import events as ev
from nntui.errors import ConfigError

WATCH_SECONDS = 30.0
"""A small run plays over about this many seconds."""
FULL_SPEED_ABOVE = 15.0
"""A run that takes at least this long at full speed is watchable as it is."""
MIN_PACE = 2.0
"""Steps a second at the slowest automatic pace (a run of very few steps)."""
MAX_PACE = 1000.0
"""The fastest pace the launcher accepts (steps a second)."""
WATCH_PACE = 20.0
"""Steps a second of the watch key (w) when the run had no pace of its own."""
PROBE_STEPS = 6
"""Steps timed at full speed before ``auto`` decides (the first one warms up)."""
RATE_WINDOW = 2.0
"""Seconds over which the steps shown a second are counted."""
RATE_TICK = 0.1
"""Steps that reach the screen closer together than this count as one arrival."""
AUTO, FULL = "auto", "full"
PACE_CHOICES = (AUTO, FULL, "5", "10", "20", "50", "100")
"""What the launcher's pace field offers (any number of steps a second is accepted)."""


@dataclass(frozen=True)
class PaceChosen:
    """The run's pace changed: ``pace`` steps a second (0: full speed); ``why`` says
    who chose it (``"auto"``, ``"key"``, ``"launcher"``); ``full_speed_seconds`` is
    the automatic estimate of the whole run at full speed (None when not estimated)."""

    step: int
    pace: float
    why: str
    full_speed_seconds: float | None = None


def parse_pace(text: str) -> float | None:
    """``"auto"`` -> None; ``"full"`` (or ``"0"``) -> 0.0; ``"20"`` -> 20.0.

    Raises:
        ConfigError: anything else (the message names the field and quotes the value).
    """
    value = text.strip().lower().removesuffix("/s").removesuffix("steps").strip()
    if value in ("", AUTO):
        return None
    if value in (FULL, "full speed"):
        return 0.0
    try:
        pace = float(value)
    except ValueError:
        pace = -1.0
    if not 0.0 <= pace <= MAX_PACE:
        raise ConfigError(f"pace must be auto, full or a number of steps a second from 0 to "
                          f"{MAX_PACE:g}. Received: {text!r}")
    return pace


def choose_pace(total_steps: int, step_seconds: float) -> float:
    """The automatic pace of a run of ``total_steps`` steps of ``step_seconds`` each:
    0 (full speed) when it already lasts :data:`FULL_SPEED_ABOVE` seconds or more,
    else the pace that plays it over about :data:`WATCH_SECONDS`."""
    if total_steps <= 0 or step_seconds * total_steps >= FULL_SPEED_ABOVE:
        return 0.0
    return max(MIN_PACE, round(total_steps / WATCH_SECONDS, 1))


class AutoPace:
    """A trainer subscriber: times :data:`PROBE_STEPS` steps, then sets the pace once.

    Args:
        set_pace: sets the run's pace (steps a second; 0 full speed); False when it
            did not (the learner chose one first).
        sink: receives the :class:`PaceChosen` event.
    """

    def __init__(self, set_pace: Callable[[float], bool], sink: Callable[[object], None]) -> None:
        self.set_pace, self.sink = set_pace, sink
        self.total_steps = 0
        self._times: list[float] = []  # compute seconds at each timed step
        self.done = False

    def __call__(self, event: object) -> None:
        if self.done:
            return
        if isinstance(event, ev.TrainingStarted):
            self.total_steps = event.total_epochs * event.steps_per_epoch - event.start_step
        elif isinstance(event, ev.StepCompleted):
            self._times.append(event.elapsed)
            if len(self._times) >= PROBE_STEPS:
                self._decide(event.step)
        elif isinstance(event, (ev.TrainingFinished, ev.TrainingFailed)):
            self.done = True

    def _decide(self, step: int) -> None:
        self.done = True
        per_step = (self._times[-1] - self._times[0]) / (len(self._times) - 1)
        estimate = per_step * self.total_steps
        pace = choose_pace(self.total_steps, per_step)
        if self.set_pace(pace):
            self.sink(PaceChosen(step, pace, "auto", estimate))


class StepRate:
    """Steps a second as they reach the screen, over the last :data:`RATE_WINDOW`.

    The dashboard drains the trainer's events in bursts (a few frames a second), so
    one entry is kept per burst, not per step: ``(time.monotonic(), step)``.
    """

    def __init__(self) -> None:
        self.recent: deque[tuple[float, int]] = deque()

    def arrived(self, step: int, now: float | None = None) -> None:
        """``step`` reached the screen (at ``now``)."""
        now = time.monotonic() if now is None else now
        recent = self.recent
        if recent and now - recent[-1][0] < RATE_TICK:
            recent.pop()
        recent.append((now, step))
        while now - recent[0][0] > RATE_WINDOW:
            recent.popleft()

    def per_second(self, now: float | None = None) -> float:
        """The rate over the window; 0 once steps stopped arriving (paused, ended)."""
        now = time.monotonic() if now is None else now
        recent = [(t, s) for t, s in self.recent if now - t <= RATE_WINDOW]
        if len(recent) < 2 or now - recent[-1][0] > RATE_WINDOW / 2:
            return 0.0
        (t0, s0), (t1, s1) = recent[0], recent[-1]
        return (s1 - s0) / max(t1 - t0, RATE_TICK)
