"""What the dashboard remembers of a run: bounded series built from trainer events.

:class:`RunHistory` is plain Python (no Textual): the screen feeds it every event
it drains from the trainer and the panels read from it at their own frame rate.
Memory stays bounded however long a run is: step series halve their resolution
when they fill (:class:`BoundedSeries`), histograms over time keep the last
:data:`HIST_STEPS` snapshots. ``version`` counters tell a panel whether it needs
redrawing.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.app.pace import PaceChosen, StepRate
from nntui.engine import events as ev
from nntui.runlog.gradient_watch import GradientsChecked, GradientWarning

SERIES_CAP = 2048  # points per step series before halving
HIST_STEPS = 48  # snapshots kept per layer for histograms over time
OVER_TIME_VALUES = 512  # values kept per snapshot for the over-time view (evenly strided)
EMA = 0.1  # smoothing of samples/second
SMOOTH = 0.15  # EMA weight of the newest batch in the training curves


class BoundedSeries:
    """An (x, y) series of at most ``cap`` points; when full, every other point is dropped
    and from then on only every ``stride``-th new point is kept (even downsampling).
    The newest point is always there, so the series ends where the run is: a point the
    stride would drop stays as the last one until the next point replaces it.

    With ``ema`` set, ``smooth`` holds an exponential moving average of the kept ``y``
    (weight ``ema`` for the newest), kept up to date in O(1) per point; a non-finite
    average restarts from the next value, so NaN shows where a run diverged.
    """

    def __init__(self, cap: int = SERIES_CAP, ema: float | None = None) -> None:
        self.cap, self.ema = cap, ema
        self.x: list[float] = []
        self.y: list[float] = []
        self.smooth: list[float] = []
        self.stride = 1
        self._seen = 0
        self._tail = False  # the last point is one the stride drops once the next comes

    def add(self, x: float, y: float) -> None:
        self._seen += 1
        if self._tail:
            self.x.pop()
            self.y.pop()
            if self.ema is not None:
                self.smooth.pop()
        self._tail = bool((self._seen - 1) % self.stride) and len(self.x) < self.cap
        self.x.append(x)
        self.y.append(y)
        if self.ema is not None:
            acc = self.smooth[-1] if self.smooth else y
            self.smooth.append(y if not math.isfinite(acc) else
                               (1 - self.ema) * acc + self.ema * y)
        if len(self.x) > self.cap and not self._tail:
            self.x, self.y, self.smooth = self.x[::2], self.y[::2], self.smooth[::2]
            self.stride *= 2

    def __len__(self) -> int:
        return len(self.x)

    @property
    def last(self) -> float | None:
        return self.y[-1] if self.y else None


@dataclass
class LayerStats:
    """The latest snapshot numbers of one layer (activation statistics table)."""

    name: str
    kind: str
    grad_norm: float = math.nan
    act_mean: float = math.nan
    act_std: float = math.nan
    dead: float | None = None
    params: int = 0
    frozen: bool = False  # weights that training leaves as they are (transfer learning)


@dataclass
class RunHistory:
    """Everything the dashboard draws, updated by :meth:`apply`."""

    run_name: str = ""
    backend: str = "?"
    state: str = "starting"  # starting, running, paused, finished, stopped, failed, diverged
    message: str = ""
    total_epochs: int = 0
    steps_per_epoch: int = 0
    step: int = 0
    epoch: int = 0
    learning_rate: float = math.nan
    samples_per_second: float = 0.0
    pace: float = 0.0  # the pace the run plays at (steps a second; 0: full speed)
    pace_why: str = ""  # who chose it: "auto", "key", "launcher" ("" not chosen yet)
    watch_pace: float = 0.0  # the last pace above 0 (what w goes back to)
    full_speed_seconds: float | None = None  # the automatic pace's estimate of the run
    elapsed: float = 0.0  # seconds of compute (the trainer's steps alone)
    wall_started: float | None = None  # time.monotonic() when the run started
    wall_ended: float | None = None  # ... and when it ended
    shown_rate: StepRate = field(default_factory=StepRate)  # steps a second on screen
    step_metrics: dict[str, BoundedSeries] = field(default_factory=dict)
    epoch_metrics: dict[str, BoundedSeries] = field(default_factory=dict)
    grad_norms: dict[str, BoundedSeries] = field(default_factory=dict)
    layers: dict[str, LayerStats] = field(default_factory=dict)
    # (layer, "weights" | "grads") -> deque of (step, finite values thinned to
    # OVER_TIME_VALUES, their full min, max): the over-time view
    hist: dict[tuple[str, str], deque[tuple[int, np.ndarray, float, float]]] = field(
        default_factory=dict)
    # (layer, "weights" | "grads") -> (step, every sampled value) of the newest snapshot
    latest_values: dict[tuple[str, str], tuple[int, np.ndarray]] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    extras_step: int | None = None  # the step the extras were computed at
    update_rule: str | None = None  # set: the model is trained without gradients (by it)
    exploding: bool = False  # the gradient watch's marker
    gradient_warning: GradientWarning | None = None  # the run's first warning
    gradient_warning_shown: bool = False  # the screen has notified it
    curves_version: int = 0
    snapshot_version: int = 0
    status_version: int = 0
    started_at: float = field(default_factory=time.monotonic)
    companions: list[tuple[str, RunHistory]] = field(default_factory=list)
    """Other runs drawn in the same curves: a fork's parent, the runs compared or raced."""

    # derived ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Training is under way: panels redraw at their own pace. Otherwise (paused,
        stepped while paused, ended) whatever arrives is drawn at once."""
        return self.state in ("starting", "running")

    @property
    def total_steps(self) -> int:
        return self.total_epochs * self.steps_per_epoch

    @property
    def remaining(self) -> float | None:
        """Seconds left at the average step time so far, or at the pace (None: unknown)."""
        if self.step <= 0 or self.total_steps <= 0 or self.elapsed <= 0:
            return None
        left = max(self.total_steps - self.step, 0)
        estimate = left * self.elapsed / self.step
        return max(estimate, left / self.pace) if self.pace else estimate  # watch pace: waits

    @property
    def wall_elapsed(self) -> float | None:
        """Wall-clock seconds since the run started (to its end once it ended)."""
        if self.wall_started is None:
            return None
        end = self.wall_ended if self.wall_ended is not None else time.monotonic()
        return max(0.0, end - self.wall_started)

    def steps_per_second(self, now: float | None = None) -> float:
        """Steps a second as they reach the screen (0 while nothing moves)."""
        return self.shown_rate.per_second(now)

    # events -----------------------------------------------------------------------
    def apply(self, event: Any) -> None:
        """Fold one trainer event into the history."""
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)
            self.status_version += 1

    def _started(self, e: ev.TrainingStarted) -> None:
        self.run_name, self.backend, self.state = e.run_name, e.backend, "running"
        self.wall_started, self.wall_ended = time.monotonic(), None
        self.total_epochs, self.steps_per_epoch = e.total_epochs, e.steps_per_epoch
        self.step, self.epoch = e.start_step, e.start_epoch

    def _step(self, e: ev.StepCompleted) -> None:
        if self.state == "starting":
            self.state = "running"
        self.step, self.epoch, self.learning_rate = e.step, e.epoch, e.learning_rate
        self.elapsed = e.elapsed
        self.shown_rate.arrived(e.step)
        sps = e.samples_per_second
        self.samples_per_second = sps if not self.samples_per_second else (
            (1 - EMA) * self.samples_per_second + EMA * sps)
        for k, v in e.metrics.items():
            series = self.step_metrics.get(k)
            if series is None:
                series = self.step_metrics[k] = BoundedSeries(ema=SMOOTH)
            series.add(e.step, v)
        self.curves_version += 1

    def _epoch(self, e: ev.EpochCompleted) -> None:
        self.epoch, self.step, self.elapsed = e.epoch, max(self.step, e.step), e.elapsed
        for k, v in e.metrics.items():
            self.epoch_metrics.setdefault(k, BoundedSeries()).add(e.step, v)
        self.curves_version += 1

    def _snapshot(self, e: ev.SnapshotTaken) -> None:
        for snap in e.layers:
            self._layer(e.step, snap)
        self.extras = dict(e.extras)
        self.extras_step = int(e.extras.get("step", e.step)) if e.extras else None
        self.update_rule = e.update_rule
        self.snapshot_version += 1

    def _layer(self, step: int, snap: ev.LayerSnapshot) -> None:
        stats = self.layers.setdefault(snap.name, LayerStats(snap.name, snap.kind))
        # a layer without weights (pooling, flatten) has no gradient of its own: "–", not 0;
        # weights without gradients in the snapshot (the rule-trained perceptron, a GAN
        # half that sat out the last step): no norm to show, not a norm of 0
        stats.grad_norm = snap.grad_norm if snap.weights and snap.grads else math.nan
        stats.dead = snap.dead_fraction
        stats.frozen = bool(snap.weights) and not snap.trainable
        stats.params = sum(int(np.size(w)) for w in snap.weights.values())
        if snap.activation is not None and snap.activation.size:
            stats.act_mean = float(np.mean(snap.activation))
            stats.act_std = float(np.std(snap.activation))
        if snap.weights and snap.grads:  # a frozen layer's 0 is no gradient to plot
            norms = self.grad_norms.setdefault(snap.name, BoundedSeries())
            if not norms.x or norms.x[-1] != step:  # a second snapshot of a step adds nothing
                norms.add(step, snap.grad_norm)
        for what, arrays in (("weights", snap.weights), ("grads", snap.grads)):
            if arrays:
                values = np.concatenate([np.ravel(a) for a in arrays.values()]).astype(
                    np.float32, copy=False)
                self.latest_values[(snap.name, what)] = (step, values)
                finite = values[np.isfinite(values)]
                lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
                thin = finite[:: -(-finite.size // OVER_TIME_VALUES) or 1].copy()  # not a view
                kept = self.hist.setdefault((snap.name, what), deque(maxlen=HIST_STEPS))
                if kept and kept[-1][0] == step:
                    kept.pop()
                kept.append((step, thin, lo, hi))

    def _gradients(self, e: GradientsChecked) -> None:
        self.exploding = e.exploding
        if e.warning is not None and self.gradient_warning is None:
            self.gradient_warning = e.warning

    def _paused(self, e: ev.TrainingPaused) -> None:
        if self.state != "diverged":  # the trainer pauses itself after diverging
            self.state = "paused"

    def _resumed(self, e: ev.TrainingResumed) -> None:
        self.state = "running"

    def _lr(self, e: ev.LearningRateChanged) -> None:
        self.learning_rate = e.learning_rate

    def _pace(self, e: PaceChosen) -> None:
        self.pace, self.pace_why = e.pace, e.why
        self.watch_pace = e.pace or self.watch_pace
        if e.full_speed_seconds is not None:
            self.full_speed_seconds = e.full_speed_seconds

    def _finished(self, e: ev.TrainingFinished) -> None:
        self.state = "stopped" if e.stopped_early else "finished"
        self.wall_ended = time.monotonic()
        self.step, self.epoch = max(self.step, e.step), max(self.epoch, e.epoch)

    def _failed(self, e: ev.TrainingFailed) -> None:
        self.state, self.message = "failed", e.message
        self.wall_ended = time.monotonic()

    def _diverged(self, e: ev.TrainingDivergedEvent) -> None:
        self.state, self.message = "diverged", e.message

    # queries ------------------------------------------------------------------------
    def layer_names(self) -> list[str]:
        """Layers that have parameters (the ones with histograms), in model order."""
        return [n for n, s in self.layers.items() if s.params]

    def histograms(self, layer: str, what: str, bins: int = 24
                   ) -> tuple[list[tuple[int, np.ndarray]], np.ndarray] | None:
        """``(step, counts)`` per kept snapshot with edges shared by all of them (the
        over-time view; the latest snapshot alone is drawn from :meth:`latest`)."""
        kept = self.hist.get((layer, what))
        if not kept:
            return None
        lo = min(k[2] for k in kept)
        hi = max(k[3] for k in kept)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        # one bincount over all snapshots (np.histogram per snapshot: ~100 µs each in
        # Python overhead, 10 ms a redraw)
        values = np.concatenate([k[1] for k in kept]).astype(np.float64)
        rows = np.repeat(np.arange(len(kept)), [k[1].size for k in kept])
        cols = np.clip(((values - lo) * (bins / (hi - lo))).astype(np.intp), 0, bins - 1)
        grid = np.bincount(rows * bins + cols, minlength=len(kept) * bins)
        grid = grid.reshape(len(kept), bins)
        return [(k[0], grid[i]) for i, k in enumerate(kept)], np.linspace(lo, hi, bins + 1)

    def latest(self, layer: str, what: str) -> tuple[int, np.ndarray] | None:
        """``(step, values)`` of the newest snapshot of ``layer``'s weights or gradients."""
        return self.latest_values.get((layer, what))


_HANDLERS: dict[type, Any] = {
    ev.TrainingStarted: RunHistory._started,
    ev.StepCompleted: RunHistory._step,
    ev.EpochCompleted: RunHistory._epoch,
    ev.SnapshotTaken: RunHistory._snapshot,
    ev.TrainingPaused: RunHistory._paused,
    ev.TrainingResumed: RunHistory._resumed,
    ev.LearningRateChanged: RunHistory._lr,
    ev.TrainingFinished: RunHistory._finished,
    ev.TrainingFailed: RunHistory._failed,
    ev.TrainingDivergedEvent: RunHistory._diverged,
    GradientsChecked: RunHistory._gradients,
    PaceChosen: RunHistory._pace,
}
