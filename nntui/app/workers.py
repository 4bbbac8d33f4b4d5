"""The training run behind the dashboard: built and run on a worker thread.

The trainer thread never waits for the UI. Its events go into an
:class:`EventBuffer` (a deque append); the dashboard drains it on its frame
timer, and only events a person is waiting for (pause, end, failure) wake the UI
at once with one :class:`~nntui.app.messages.EventsArrived` message. BLAS is held
to one thread while training, so the UI thread keeps a core and keys answer fast.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from textual.message_pump import MessagePump

from nntui.app.catalog import Catalog
from nntui.app.messages import EventsArrived
from nntui.engine import events as ev
from nntui.errors import NntuiError
from nntui.runlog import RunLogger, write_config
from nntui.threads import training_threads

URGENT = (ev.TrainingStarted, ev.TrainingPaused, ev.TrainingResumed, ev.TrainingFinished,
          ev.TrainingFailed, ev.TrainingDivergedEvent, ev.LearningRateChanged)


class EventBuffer:
    """Thread-safe event queue between the trainer thread and the UI."""

    def __init__(self, target: MessagePump | None = None) -> None:
        self.target = target
        self._events: deque[Any] = deque()
        self._lock = threading.Lock()
        self._signalled = False

    def __call__(self, event: Any) -> None:
        self._events.append(event)
        if self.target is None or not isinstance(event, URGENT):
            return
        with self._lock:
            if self._signalled:
                return
            self._signalled = True
        self.target.post_message(EventsArrived())

    def drain(self) -> list[Any]:
        """Every event buffered so far, oldest first."""
        with self._lock:
            self._signalled = False
        out = []
        while self._events:
            out.append(self._events.popleft())
        return out


def model_arrays(model: Any) -> dict[str, Any]:
    """Weights and optimizer state as named NumPy arrays, for a checkpoint."""
    arrays = dict(model.named_weights())
    opt = getattr(model, "optimizer", None)
    for key, state in (getattr(opt, "state", None) or {}).items():
        for name, value in state.items():
            arrays[f"opt/{key}/{name}"] = model.ops.to_numpy(value)
    return arrays


class TrainingRun:
    """One live run: session, trainer and run logger, driven from a worker thread.

    Args:
        catalog: builds the session from ``spec``.
        spec: the validated run spec.
        runs_dir: parent of the run folder.
        sink: receives every trainer event (the screen's :class:`EventBuffer`).
        tensorboard: also write TensorBoard event files.
    """

    def __init__(self, catalog: Catalog, spec: Any, runs_dir: str | Path,
                 sink: Callable[[Any], None], *, tensorboard: bool = True) -> None:
        self.catalog, self.spec, self.runs_dir, self.sink = catalog, spec, Path(runs_dir), sink
        self.tensorboard = tensorboard
        self.session: Any = None
        self.trainer: Any = None
        self.logger: RunLogger | None = None
        self.done = threading.Event()
        self._stop_requested = False
        self._checkpoint_requests: list[Future[Path]] = []
        self._lock = threading.Lock()

    @property
    def run_dir(self) -> Path | None:
        return None if self.logger is None else self.logger.run_dir

    # worker thread ---------------------------------------------------------------------
    def run(self) -> None:
        """Build, train to the end or until stopped, close the log. Never raises."""
        try:
            with training_threads(headless=False):  # one BLAS thread: the UI keeps a core
                self._build()
                if not self._stop_requested:
                    self.trainer.run()
        except NntuiError as exc:
            step = getattr(self.trainer, "step", 0)
            self.sink(ev.TrainingFailed(step, str(exc)))
        finally:
            if self.logger is not None:
                self.logger.close()
            self._fail_pending("the run ended before the checkpoint was taken")
            self.done.set()

    def _build(self) -> None:
        spec = self.spec
        self.session = self.catalog.build_session(spec)
        every = getattr(getattr(spec, "train", None), "snapshot_every", 20) or 20
        self.trainer = self.session.trainer(snapshot_every=every, on_divergence="pause")
        self.logger = RunLogger.create(self.runs_dir, getattr(spec, "name", "run"),
                                       tensorboard=self.tensorboard)
        self.trainer.subscribe(self.logger.handle)
        self.trainer.subscribe(self._between_steps)
        self.trainer.subscribe(self.sink)

    def _between_steps(self, event: Any) -> None:
        if isinstance(event, ev.StepCompleted) and self._checkpoint_requests:
            with self._lock:
                pending, self._checkpoint_requests = self._checkpoint_requests, []
            try:
                path = self._save_checkpoint()
            except NntuiError as exc:
                for fut in pending:
                    fut.set_exception(exc)
                return
            for fut in pending:
                fut.set_result(path)

    def _fail_pending(self, why: str) -> None:
        with self._lock:
            pending, self._checkpoint_requests = self._checkpoint_requests, []
        for fut in pending:
            fut.set_exception(NntuiError(why))

    # any thread ------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop after the current step (the trainer emits TrainingFinished)."""
        self._stop_requested = True
        if self.trainer is not None:
            self.trainer.stop()

    def _save_checkpoint(self) -> Path:
        trainer, logger = self.trainer, self.logger
        assert trainer is not None and logger is not None
        return logger.save_checkpoint(model_arrays(trainer.model), step=trainer.step,
                                      epoch=trainer.epoch,
                                      optimizer_step=trainer.model.optimizer.iterations)

    def checkpoint(self) -> Future[Path]:
        """Save a checkpoint between two steps: now when the trainer is idle (paused or
        ended), else on the trainer thread right after its next step."""
        fut: Future[Path] = Future()
        if self.trainer is None or self.logger is None:
            fut.set_exception(NntuiError("the run has not started yet"))
        elif self.trainer.paused or self.done.is_set():
            try:
                fut.set_result(self._save_checkpoint())
            except NntuiError as exc:
                fut.set_exception(exc)
        else:
            with self._lock:
                self._checkpoint_requests.append(fut)
        return fut

    def write_config(self) -> Path:
        assert self.run_dir is not None
        return write_config(self.run_dir, self.spec.to_dict())


def warm_imports() -> None:
    """Import the slow, lazily imported libraries ahead of the first run (tensorboardX
    pulls in torch when installed: seconds on a cold disk; plotext ~90 ms)."""
    import plotext  # noqa: F401
    import tensorboardX  # noqa: F401
