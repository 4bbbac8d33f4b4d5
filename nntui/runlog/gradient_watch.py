"""Exploding gradients flagged before they overflow.

The optimizer records the global gradient norm of every step (before clipping) in
``optimizer.last_global_norm``. :class:`GradientWatch` keeps a running median of
it and warns when the norm is past ``limit``, or past ``ratio`` times that median
for ``persist`` steps in a row: the usual sign, a few steps ahead, that the loss is
about to become NaN. A single spike (an LSTM "getting" a memory task spikes to
~400x its median for one step) only sets :attr:`GradientWatch.exploding`.

:class:`GradientMonitor` runs it on the trainer's thread for every step and passes on
only changes of its verdict: ``nntui train`` prints the run's first warning as one
line, the app shows a marker and a notification.

Example:
    >>> watch = GradientWatch()
    >>> [watch.update(s, 1.0) for s in range(1, 21)][-1] is None
    True
    >>> watch.update(21, 500.0) is None  # one spike: flagged, no warning yet
    True
    >>> watch.update(22, 800.0), watch.update(23, 900.0).ratio
    (None, 900.0)
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from nntui.engine import events as ev
from nntui.engine.learner import Learner, global_norms

DEFAULT_LIMIT = 1e3  # an absolute global norm no preset reaches while learning well
DEFAULT_RATIO = 100.0  # growth over the running median that counts as exploding
DEFAULT_FLOOR = 1.0
"""Norms below this never count as exploding by growth alone: once a net has converged
its gradients shrink to ~1e-11 and wander by 100x between steps, which is noise, not an
explosion (the ratio test had flagged every step of a converged spiral MLP)."""


@dataclass(frozen=True)
class GradientWarning:
    """One step whose global gradient norm looks like it is exploding."""

    step: int
    norm: float
    median: float  # running median of the previous norms (0.0 before there are any)
    ratio: float  # norm / median (inf when the median is 0)

    def message(self) -> str:
        """One line: what happened and what to try."""
        if not math.isfinite(self.norm):
            what = f"the global gradient norm became {self.norm}"
        else:
            what = f"the global gradient norm reached {self.norm:.3g}"
            if self.median > 0:
                what += f", {self.ratio:.0f}x its running median {self.median:.3g}"
        return (f"gradients are exploding at step {self.step}: {what}. Training may diverge; "
                "try gradient clipping (--set train.clipnorm=1.0) or a lower learning rate.")


class GradientWatch:
    """Warns when the global gradient norm is past ``limit``, or ``ratio`` × the median
    for ``persist`` steps in a row.

    Args:
        limit: absolute norm that always counts as exploding (non-finite norms too).
        ratio: growth over the running median that counts as exploding.
        persist: consecutive steps past ``ratio`` × median before a warning.
        window: how many recent norms the median is taken over.
        warmup: steps before the ratio test applies (early norms swing widely).
        floor: norms below it are never flagged by the ratio test.
    """

    def __init__(self, limit: float = DEFAULT_LIMIT, ratio: float = DEFAULT_RATIO,
                 persist: int = 3, window: int = 200, warmup: int = 10,
                 floor: float = DEFAULT_FLOOR) -> None:
        self.limit, self.ratio, self.persist, self.warmup = limit, ratio, persist, warmup
        self.floor = floor
        self._streak = 0
        self._norms: deque[float] = deque(maxlen=window)
        self.exploding = False  # the latest step was past a threshold (a panel's marker)
        self.first: GradientWarning | None = None  # the run's first warning
        self.count = 0  # how many warnings

    @property
    def median(self) -> float:
        return statistics.median(self._norms) if self._norms else 0.0

    def update(self, step: int, norm: float) -> GradientWarning | None:
        """Record the norm of ``step``; returns a warning when it looks like an explosion.

        Flagged norms are not added to the median, so a run of large norms keeps
        being compared with the calm before it.
        """
        median = self.median
        enough = len(self._norms) >= self.warmup
        absolute = not math.isfinite(norm) or norm > self.limit
        grown = enough and median > 0 and norm > max(self.ratio * median, self.floor)
        self.exploding = absolute or grown
        self._streak = self._streak + 1 if self.exploding else 0
        if not self.exploding:
            if norm > 0:  # 0.0: no optimizer step was taken (e.g. the perceptron rule)
                self._norms.append(norm)
            return None
        if not absolute and self._streak < self.persist:
            return None
        ratio = norm / median if median > 0 else math.inf
        warning = GradientWarning(step, float(norm), median, ratio)
        self.count += 1
        if self.first is None:
            self.first = warning
        return warning


@dataclass(frozen=True)
class GradientsChecked:
    """The gradient watch changed its verdict at ``step`` (an app-side event, emitted by
    :class:`GradientMonitor` on the trainer's thread).

    ``exploding``: the latest global norm is past the watch's thresholds; ``warning``:
    set when this step raised a warning.
    """

    step: int
    exploding: bool
    warning: GradientWarning | None = None


def gradients_row(event: GradientsChecked) -> dict[str, object]:
    """The ``metrics.jsonl`` row of a change of verdict (replay shows the same marker)."""
    w = event.warning
    warning = None if w is None else {"step": w.step, "norm": _safe(w.norm),
                                      "median": _safe(w.median), "ratio": _safe(w.ratio)}
    return {"kind": "gradients", "step": int(event.step), "exploding": bool(event.exploding),
            "warning": warning}


def gradients_event(row: dict[str, object]) -> GradientsChecked | None:
    """The event of a ``gradients`` row (None when the row is damaged)."""
    step, exploding, w = row.get("step"), row.get("exploding"), row.get("warning")
    if type(step) is not int or not isinstance(exploding, bool):
        return None
    warning = None
    if isinstance(w, dict):
        try:
            warning = GradientWarning(int(w["step"]), float(w["norm"]), float(w["median"]),
                                      float(w["ratio"]))
        except (KeyError, TypeError, ValueError):
            return None
    return GradientsChecked(step, exploding, warning)


def _safe(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


class GradientMonitor:
    """Trainer-thread subscriber: feeds a :class:`GradientWatch` the global gradient norm
    of every step and passes on only changes of its verdict, so the UI gets an event
    when the marker should appear or go, not one per step."""

    def __init__(self, model: Learner, sink: Callable[[GradientsChecked], None]) -> None:
        self.model, self.sink = model, sink
        self.watch = GradientWatch()
        self._shown = False
        self._warned = False  # a warning was passed on during the current flagged streak

    def __call__(self, event: ev.Event) -> None:
        if not isinstance(event, ev.StepCompleted):
            return
        norms = global_norms(self.model)
        if not norms:
            return
        warning = self.watch.update(event.step, max(norms))
        # every event here wakes the UI at once: one per streak, not one per step (a
        # warning every step redrew the dashboard ~50 times a second and cut the
        # training speed to a sixth)
        fresh = warning is not None and not self._warned
        self._warned = (self._warned or fresh) and self.watch.exploding
        if fresh or self.watch.exploding != self._shown:
            self._shown = self.watch.exploding
            self.sink(GradientsChecked(event.step, self.watch.exploding,
                                       warning if fresh else None))
