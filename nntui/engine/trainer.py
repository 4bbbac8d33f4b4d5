"""The training loop: batches, epochs, validation, controls, and events.

The trainer owns the loop and nothing else: it emits immutable events (see
``events.py``) to its subscribers (the app, the run-log writers, ``fit``'s
progress bar) and takes commands from other threads (pause, step, stop, change
the learning rate). It never prints or draws.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.engine import events as ev
from nntui.engine.callbacks.base import Callback, CallbackList, History
from nntui.engine.commands import Command, CommandQueue, Pending, run_pending
from nntui.engine.learner import Learner, global_norms
from nntui.engine.snapshots import SnapshotTaker
from nntui.errors import ConfigError, TrainingDiverged

Subscriber = Callable[[ev.Event], None]
COMMAND_POLL = 0.05  # seconds: while paused, how often the loop looks for a submitted change


@dataclass(frozen=True)
class Position:
    """Where a run is, to the sample: what a checkpoint needs to continue it exactly.

    Attributes:
        step: optimizer steps taken.
        epoch: the epoch in progress when ``batch`` > 0, else the epochs completed.
        batch: batches done of the epoch in progress (0: at an epoch boundary).
        seen: samples done of the epoch in progress.
        order: the epoch's sample order (its permutation; None without shuffling or at a
            boundary, where the next epoch draws a fresh one).
        sums: the epoch's metric sums so far (each batch's mean times its size).
        elapsed: training seconds so far.
    """

    step: int = 0
    epoch: int = 0
    batch: int = 0
    seen: int = 0
    order: np.ndarray | None = None
    sums: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0


class Trainer:
    """Runs a model over a dataset, emitting events; controllable from other threads.

    Args:
        model: a compiled ``Sequential`` (or anything with its training interface).
        x, y: training data (NumPy).
        batch_size, epochs, shuffle, seed: as in Keras's fit (seed drives shuffling).
        validation_split / validation_data: Keras's rules.
        snapshot_every: emit a SnapshotTaken every N steps (0: never).
        snapshot_interval: and at least this many seconds apart (0: no limit). The app
            sets it: nobody sees more than a few snapshots a second, and each one costs
            the training thread a pass over every layer. Whatever the throttle, with
            snapshots on, the loop never waits (paused, after a step or an epoch run
            while paused) or ends without a *fresh* snapshot of the model as it is then.
        on_divergence: ``"raise"`` (headless), ``"pause"`` (the app) or ``"stop"`` (fit with
            ``TerminateOnNaN``: training ends after the step, no error).
        extras: optional hook ``extras(model, x_val, y_val, *, step, fresh) -> dict`` for
            architecture panels; ``fresh``: compute everything now, reuse nothing.
        callbacks: Keras callbacks; their hooks run at Keras's points of the loop, and
            ``model.stop_training = True`` ends training after the current batch.
    """

    def __init__(self, model: Learner, x: Any, y: Any, *, batch_size: int = 32, epochs: int = 1,
                 validation_split: float = 0.0, validation_data: tuple[Any, Any] | None = None,
                 shuffle: bool = True, seed: int | None = None, initial_epoch: int = 0,
                 snapshot_every: int = 0, snapshot_interval: float = 0.0,
                 on_divergence: str = "raise",
                 extras: Callable[..., dict[str, Any]] | None = None,
                 run_name: str = "run", config: dict[str, Any] | None = None,
                 callbacks: Sequence[Callback] | None = None) -> None:
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ConfigError(f"batch_size must be a positive integer. Received: {batch_size!r}")
        if not isinstance(epochs, int) or epochs < 0:
            raise ConfigError(f"epochs must be a non-negative integer. Received: {epochs!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ConfigError(f"validation_split must be in [0, 1). Received: {validation_split!r}")
        self.model = model
        x, y = model.prepare(x, y)
        self.x_val = self.y_val = None
        if validation_data is not None:
            self.x_val, self.y_val = model.prepare(*validation_data)
        elif validation_split:
            cut = int(len(x) * (1.0 - validation_split))
            x, self.x_val, y, self.y_val = x[:cut], x[cut:], y[:cut], y[cut:]
        if len(x) == 0:
            raise ConfigError("there is no training data left (check validation_split)")
        self.x, self.y = x, y
        self.batch_size, self.epochs, self.shuffle = batch_size, epochs, shuffle
        self.rng = np.random.default_rng(seed if seed is not None else model.rng.integers(2**31))
        self.snapshot_every = snapshot_every
        self.snapshot_interval = snapshot_interval
        self.on_divergence = on_divergence
        self.extras = extras
        self.run_name, self.config = run_name, config or {}
        self.history = History()
        self.callbacks = CallbackList([*(callbacks or []), self.history], model, {
            "epochs": epochs, "steps": math.ceil(len(x) / batch_size), "verbose": 0})
        self._sums: dict[str, float] = {}  # this epoch's loss and metric sums, and samples
        self._seen = 0
        self.batch = 0  # batches done of the epoch in progress (0: at a boundary)
        self._order: np.ndarray | None = None  # the epoch's permutation
        self.subscribers: list[Subscriber] = []
        self.step = 0
        self.epoch = initial_epoch
        self.snapshots = SnapshotTaker(self)
        self.steps_per_epoch = math.ceil(len(x) / batch_size)
        self._run_flag = threading.Event()
        self._run_flag.set()
        self._stop = threading.Event()
        self._idle = threading.Event()  # set while the loop is blocked on pause (no step running)
        self._pending_steps = 0  # steps to run while paused ("step" / "epoch" keys)
        self._ended = False  # run() returned: nothing is left to resume or step
        self._lock = threading.Lock()
        self._elapsed = 0.0
        self.pace = 0.0
        """Watch pace: at most this many steps a second (0: as fast as it goes)."""
        self._last_step_at = -math.inf  # time.monotonic() when the last paced step began
        self.blas_threads: Any = None
        """Headless runs: a ``StepThreads`` choosing the BLAS thread count per step."""
        self._commands = CommandQueue()  # changes submitted from other threads (surgery, data)

    # control (any thread) -------------------------------------------------------
    def subscribe(self, fn: Subscriber) -> None:
        self.subscribers.append(fn)

    @property
    def paused(self) -> bool:
        return not self._run_flag.is_set()

    def pause(self) -> None:
        if self._run_flag.is_set():
            self._run_flag.clear()
            self.emit(ev.TrainingPaused(self.step))

    def resume(self) -> None:
        if self._ended:
            return
        with self._lock:
            self._pending_steps = 0
        if not self._run_flag.is_set():
            self._idle.clear()
            self._run_flag.set()
            self.emit(ev.TrainingResumed(self.step))

    def step_once(self, n: int = 1) -> None:
        """While paused, run exactly ``n`` more steps, then pause again."""
        if self._ended:
            return
        with self._lock:
            self._pending_steps += n
        self._idle.clear()  # a step is now due: wait_until_paused waits for it
        self._run_flag.set()

    def epoch_once(self) -> None:
        """While paused, run to the end of the current epoch."""
        left = math.ceil((len(self.x) - self._seen) / self.batch_size)
        self.step_once(left if self.batch else self.steps_per_epoch)

    def wait_until_paused(self, timeout: float = 5.0) -> bool:
        """After ``pause()``: block until the step in flight has finished; False on timeout.

        Once this returns True the model can be read safely (the inspector, exports).
        """
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._run_flag.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def set_pace(self, steps_per_second: float) -> None:
        """Slow training to at most ``steps_per_second`` (0: full speed again), so a
        learner can watch it; only the waits between steps change, not the numbers."""
        if (not isinstance(steps_per_second, (int, float)) or isinstance(steps_per_second, bool)
                or not math.isfinite(steps_per_second) or steps_per_second < 0):
            raise ConfigError("the watch pace must be a number of steps per second >= 0 "
                              f"(0: full speed). Received: {steps_per_second!r}")
        self.pace = float(steps_per_second)

    def set_learning_rate(self, lr: float) -> None:
        if self.model.optimizer is None:
            raise ConfigError("the model has no optimizer yet: compile it first")
        self.model.optimizer.learning_rate = lr  # validates
        self.emit(ev.LearningRateChanged(self.step, float(lr)))
        self.emit(ev.ModelChanged(self.step, self.epoch, "learning_rate", value=float(lr),
                                  text=f"learning rate {float(lr):g}"))

    def position(self) -> Position:
        """Where the run is now (read it between steps: from a subscriber or while paused)."""
        order = None if self._order is None or not self.batch else self._order.copy()
        return Position(self.step, self.epoch, self.batch, self._seen, order,
                        dict(self._sums), self._elapsed)

    def restore(self, position: Position) -> None:
        """Continue from ``position`` (before :meth:`run`): the epoch in progress goes on
        with its own sample order, so the run equals one that was never interrupted.

        Raises:
            ConfigError: the position does not fit this trainer's data.
        """
        n = len(self.x)
        if position.batch and not 0 < position.seen < n:
            raise ConfigError(f"the saved position is sample {position.seen} of an epoch, "
                              f"but the training data has {n} samples")
        if position.order is not None and (position.order.shape != (n,) or not np.array_equal(
                np.sort(position.order), np.arange(n))):
            raise ConfigError(f"the saved epoch order is not a permutation of the {n} "
                              "training samples (was the dataset changed?)")
        self.step, self.epoch, self.batch = position.step, position.epoch, position.batch
        self._seen, self._order = position.seen, position.order
        self._sums, self._elapsed = dict(position.sums), position.elapsed

    @property
    def epochs_done(self) -> int:
        return self.epoch - 1 if self.batch else self.epoch

    def submit(self, command: Command, at_epoch_start: bool = False
               ) -> Future[ev.ModelChanged | None]:
        """Run ``command(trainer)`` between two steps on the training thread (or at the start
        of the next epoch); after the run has ended, at once on this thread. The future
        holds its :class:`~nntui.engine.events.ModelChanged` (emitted too) or its error.
        """
        item = Pending(command, at_epoch_start=at_epoch_start)
        if not self._commands.put(item) and run_pending([item], self, self.emit) \
                and self.snapshot_every:
            self.emit(self.snapshot())  # no more steps: the panels show the change now
        return item.future

    def _run_commands(self, epoch_start: bool = False) -> int:
        return run_pending(self._commands.take(epoch_start), self, self.emit)

    # events ---------------------------------------------------------------------
    def emit(self, event: ev.Event) -> None:
        for fn in self.subscribers:
            fn(event)

    # the loop ---------------------------------------------------------------------
    def run(self) -> History:
        """Train until the last epoch or ``stop()``; returns the history."""
        if self.blas_threads is not None:
            self.blas_threads.begin()
        self.emit(ev.TrainingStarted(self.run_name, self.model.backend, self.epochs,
                                     self.steps_per_epoch, self.config, self.step, self.epoch))
        if self.paused:  # paused before it started: say so to whoever watches
            self.emit(ev.TrainingPaused(self.step))
        last: dict[str, float] = {}
        self.model.stop_training = False  # Keras: each fit starts afresh
        self.callbacks.on_train_begin()
        # divergence is reported as an event; NumPy's overflow warnings would only add noise
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while (self.epochs_done < self.epochs and not self._stop.is_set()
                   and not self.model.stop_training):
                last = self._run_epoch()
            run_pending(self._commands.close(), self, self.emit)
            if not self._stop.is_set():
                self._settle()
        self.callbacks.on_train_end(last)
        self._ended = True
        self._idle.set()
        self.emit(ev.TrainingFinished(self.step, self.epoch, last, self._stop.is_set()))
        return self.history

    def _run_epoch(self) -> dict[str, float]:
        if not self.batch:  # a fresh epoch (else a resumed one goes on in its own order)
            self._run_commands(epoch_start=True)  # new data only between two epochs
            self.epoch += 1
            self._sums, self._seen = {}, 0
            self._order = self.rng.permutation(len(self.x)) if self.shuffle else None
        self.callbacks.on_epoch_begin(self.epoch - 1)
        batches = self.model.batches(self.x, self.y, self.batch_size, self.shuffle, self.rng,
                                     order=self._order, start=self._seen)
        for b, (xb, yb) in enumerate(batches, start=self.batch + 1):
            if not self._wait_turn():
                return {}
            self.callbacks.on_train_batch_begin(b - 1)
            self._one_step(xb, yb, b)
            if self.model.stop_training:
                break
        means = self._running_means()
        at_end = getattr(self.model, "epoch_metrics", None)  # e.g. a GAN's mode coverage
        if at_end is not None:
            means.update(at_end())
        self.batch, self._seen, self._sums, self._order = 0, 0, {}, None
        if self.x_val is not None and self.y_val is not None and len(self.x_val):
            val = self.model.evaluate_arrays(self.x_val, self.y_val)
            means.update({f"val_{k}": v for k, v in val.items()})
        self.callbacks.on_epoch_end(self.epoch - 1, means)  # History is the last callback
        self.emit(ev.EpochCompleted(self.epoch, self.step, means, self._elapsed))
        return means

    def _running_means(self) -> dict[str, float]:
        return {k: v / max(self._seen, 1) for k, v in self._sums.items()}

    def _count(self, metrics: dict[str, float], n: int, batch: int) -> None:
        """The step joins the epoch's position and sums (before subscribers see it)."""
        self.batch, self._seen = batch, self._seen + n
        for k, v in metrics.items():
            self._sums[k] = self._sums.get(k, 0.0) + v * n

    def _after_step(self, batch: int) -> None:
        """Tell the callbacks (Keras's running means)."""
        if len(self.callbacks.callbacks) > 1:  # more than History
            self.callbacks.on_train_batch_end(batch - 1, self._running_means())

    def _wait_turn(self) -> bool:
        """Block while paused (and for the watch pace); False when stopped."""
        if self.pace > 0 and not self._pace_wait():
            return False
        self._run_commands()
        settled = False
        while not self._run_flag.wait(0.0 if not settled else COMMAND_POLL):
            if not settled:  # also when pause() lands between the check and the wait
                self._settle()
                self._idle.set()
                settled = True
                continue
            if self._run_commands() and self.snapshot_every:
                self._settle(force=True)  # the panels show the change while paused
        self._idle.clear()
        if self._stop.is_set():
            return False
        with self._lock:
            if self._pending_steps > 0:
                self._pending_steps -= 1
                if self._pending_steps == 0:
                    self._run_flag.clear()  # pause again after this step
        return True

    def _pace_wait(self) -> bool:
        """Wait until 1/pace seconds after the last paced step began; False when stopped.

        Waits in slices of 0.1 s, so a new pace (or 0) and stop() act at once.
        """
        while self.pace > 0:
            delay = self._last_step_at + 1.0 / self.pace - time.monotonic()
            if delay <= 0:
                break
            if self._stop.wait(min(delay, 0.1)):
                return False
        self._last_step_at = time.monotonic()
        return True

    def _one_step(self, xb: Any, yb: Any, batch: int) -> dict[str, float]:
        # a step after which the loop waits (paused, or the end of a step / epoch run
        # while paused) or ends takes a fresh snapshot, whatever the throttle
        fresh = not self._run_flag.is_set() or self._is_last_step(batch)
        snap = self.snapshots.due(fresh)
        if self.blas_threads is not None:
            self.blas_threads.before_step()
        t0 = time.perf_counter()
        out = self.model.train_step(xb, yb)
        dt = time.perf_counter() - t0
        if self.blas_threads is not None:
            self.blas_threads.after_step(dt)
        self._elapsed += dt
        self.step += 1
        self.snapshots.stepped(xb)
        metrics = dict(out) if isinstance(out, dict) else {"loss": float(out)}
        metrics.update(self._batch_metrics(yb))
        lr = _step_learning_rate(self.model)
        self._count(metrics, len(xb), batch)
        self.emit(ev.StepCompleted(self.step, self.epoch, batch, metrics, lr,
                                   len(xb) / dt if dt > 0 else 0.0, self._elapsed))
        self._after_step(batch)
        bad_grads = not all(math.isfinite(n) for n in global_norms(self.model))
        diverged = bad_grads or not all(math.isfinite(v) for v in metrics.values())
        if diverged and not self.model.stop_training:  # TerminateOnNaN stops it quietly
            self._diverged(metrics, "the gradients" if bad_grads else "the loss")
        if snap:
            self.model.record_outputs = False
            self.emit(self.snapshot(fresh=fresh))
        return metrics

    def _is_last_step(self, batch: int) -> bool:
        return self.epoch >= self.epochs and batch >= self.steps_per_epoch

    def refresh(self) -> None:
        """A fresh snapshot now, of a model changed outside the loop (the inspector's
        applied step). Only while the loop waits (paused) or after it ended."""
        self._settle(force=True)

    def _settle(self, force: bool = False) -> None:
        """Before the loop waits or ends: a fresh snapshot of the model as it is now,
        unless this step has one already (``pause()`` arrived during the step)."""
        snap = self.snapshots.settle(force)
        if snap is not None:
            self.emit(snap)

    def _batch_metrics(self, yb: Any) -> dict[str, float]:
        fns = self.model.metrics
        pred = self.model.last_prediction
        if not fns or pred is None or yb is None:
            return {}
        ops = self.model.ops
        p, y = ops.to_numpy(pred), ops.to_numpy(yb)
        return {name: fn(y, p) for name, fn in fns}


    def _diverged(self, metrics: dict[str, float], what: str = "the loss") -> None:
        loss = metrics.get("loss", float("nan"))
        became = "NaN or infinite" if what == "the gradients" else f"{loss}"
        msg = (f"training diverged at step {self.step}: {what} became {became}. "
               "Try a lower learning rate (e.g. 10x smaller) or gradient clipping "
               "(train.clipnorm = 1.0).")
        self.emit(ev.TrainingDivergedEvent(self.step, msg))
        if self.on_divergence == "raise":
            raise TrainingDiverged(msg)
        if self.on_divergence == "stop":  # fit with TerminateOnNaN: end quietly
            self.model.stop_training = True
            return
        self.pause()

    def snapshot(self, fresh: bool = False) -> ev.SnapshotTaken:
        """Downsampled weights, gradients and activations of every layer, now, and the
        panels' extras (``fresh``: computed now in full; see :class:`SnapshotTaker`)."""
        return self.snapshots.take(fresh)


def _step_learning_rate(model: Learner) -> float:
    """The rate the step just taken used (a schedule's value at that step)."""
    opt = model.optimizer
    if opt is None:
        return 0.0
    return float(getattr(opt, "last_learning_rate", opt.learning_rate))
