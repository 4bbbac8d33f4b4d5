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
from typing import TYPE_CHECKING, Any

from textual.message_pump import MessagePump

from nntui.app.catalog import Catalog
from nntui.app.messages import EventsArrived
from nntui.app.pace import AutoPace, PaceChosen
from nntui.engine import events as ev
from nntui.engine.threads import training_threads
from nntui.errors import NntuiError, TrainingDiverged
from nntui.inspect.landscape_run import WeightTrail
from nntui.runlog import RunLogger, safe_export_path, write_config
from nntui.runlog.fork import write_fork_record
from nntui.runlog.gradient_watch import GradientMonitor, GradientsChecked
from nntui.runlog.run_checkpoint import CheckpointWriter, live_changes, restore_run
from nntui.runlog.rundir import CHECKPOINT_NPZ, CONFIG_TOML

if TYPE_CHECKING:
    from nntui.app.catalog import Session
    from nntui.architectures.spec import RunSpec
    from nntui.commands.fork import Fork
    from nntui.engine.trainer import Trainer

SCREENSHOT = "screenshot.svg"
SNAPSHOT_INTERVAL = 0.25
"""Seconds between two snapshots at least: the panels redraw a few times a second, and
a snapshot (plus the architecture panel's data) costs the training thread a pass over
every layer; at a tiny model's ~1,000 steps/s, every 10th step was 10 % of its time."""


URGENT = (ev.TrainingStarted, ev.TrainingPaused, ev.TrainingResumed, ev.TrainingFinished,
          ev.TrainingFailed, ev.TrainingDivergedEvent, ev.LearningRateChanged,
          ev.ModelChanged, GradientsChecked, PaceChosen)


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


class TrainingRun:
    """One live run: session, trainer and run logger, driven from a worker thread.

    Args:
        catalog: builds the session from ``spec``.
        spec: the validated run spec.
        runs_dir: parent of the run folder.
        sink: receives every trainer event (the screen's :class:`EventBuffer`).
        tensorboard: also write TensorBoard event files.
        pace: steps a second to start with (0: full speed; None: chosen by
            :class:`~nntui.app.pace.AutoPace` from the first steps).
        fork: a :class:`~nntui.commands.fork.Fork`: the run starts from its kept
            checkpoint in a new folder that records its parent (``fork.json``).
    """

    def __init__(self, catalog: Catalog, spec: RunSpec, runs_dir: str | Path,
                 sink: Callable[[Any], None], *, tensorboard: bool = True,
                 pace: float | None = None, fork: Fork | None = None) -> None:
        self.catalog, self.spec, self.runs_dir, self.sink = catalog, spec, Path(runs_dir), sink
        self.tensorboard, self.pace, self.fork = tensorboard, pace, fork
        self.session: Session | None = None
        self.trainer: Trainer | None = None
        self.logger: RunLogger | None = None
        self.writer: CheckpointWriter | None = None
        self.done = threading.Event()
        self.trail: WeightTrail | None = None
        """Copies of the weights along the run, from the start (the landscape's path)."""
        self.diverged_at: int | None = None
        """Step at which training diverged (no checkpoint is written after it)."""
        self._stop_requested = False
        self._snapshot_every = 20
        self._user_paced = False
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
                if not self._stop_requested and self.trainer is not None:
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
        self.trainer.snapshot_interval = SNAPSHOT_INTERVAL
        self._snapshot_every = every
        if self.pace is not None:
            self._apply_pace(self.pace)
        if self.fork is not None:
            restore_run(self.trainer, self.fork.checkpoint)  # checked before a folder is made
        name = getattr(spec, "name", "run") if self.fork is None else self.fork.name
        self.logger = RunLogger.create(self.runs_dir, name, tensorboard=self.tensorboard)
        changes: list[dict[str, Any]] = []
        live: list[dict[str, Any]] = []
        if self.fork is not None:
            write_fork_record(self.logger.run_dir, self.fork.point, self.fork.changes)
            changes = self.fork.history()
            live = live_changes(self.fork.checkpoint, self.trainer)
        # a checkpoint at every epoch end and at the end, as `nntui train` writes them
        self.writer = CheckpointWriter(self.logger, self.trainer, changes=changes, live=live,
                                       extra=self.session.info.get("checkpoint_extra"))
        self.trainer.subscribe(self.logger.handle)
        self.trainer.subscribe(self.writer)
        self.trainer.subscribe(self._between_steps)
        self.trainer.subscribe(self.sink)
        self.trainer.subscribe(GradientMonitor(self.trainer.model, self._gradients))
        if getattr(self.trainer.model, "uses_gradients", False) and \
                hasattr(self.trainer.model, "get_weights"):
            self.trail = WeightTrail(self.trainer.model)  # the loss landscape's path
            self.trainer.subscribe(self.trail)
        if self.pace is None:
            self.trainer.subscribe(AutoPace(self._auto_pace, self.sink))

    def _gradients(self, event: GradientsChecked) -> None:
        """The gradient watch's verdict: logged (replay shows the marker too) and shown."""
        if self.logger is not None:
            self.logger.handle(event)
        self.sink(event)

    def _auto_pace(self, pace: float) -> bool:
        """The automatic choice, unless the learner chose a pace meanwhile."""
        if self._user_paced:
            return False
        self._apply_pace(pace)
        return True

    def set_pace(self, pace: float) -> None:
        """The learner's pace: ``pace`` steps a second (0: full speed); the automatic
        choice no longer applies."""
        self._user_paced = True
        self._apply_pace(pace)

    def _apply_pace(self, pace: float) -> None:
        """Play at ``pace``, with a snapshot about every SNAPSHOT_INTERVAL seconds of it
        (at 20 steps a second, every 20th step would be one a second: the panels would
        lag the curves)."""
        self.pace = pace
        if self.trainer is None:
            return
        self.trainer.set_pace(pace)
        self.trainer.snapshot_every = (max(1, round(pace * SNAPSHOT_INTERVAL)) if pace
                                       else self._snapshot_every)

    def _between_steps(self, event: Any) -> None:
        if isinstance(event, ev.TrainingDivergedEvent) and self.diverged_at is None:
            self.diverged_at = event.step
            self._fail_pending(f"no checkpoint: training diverged at step {event.step}")
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
        """Write the checkpoint, unless the run diverged or the state holds NaN/inf (the
        last good checkpoint, if any, is kept)."""
        assert self.writer is not None and self.run_dir is not None
        safe_export_path(self.run_dir, CHECKPOINT_NPZ)  # inside the run folder, no link
        try:
            return self.writer.save()
        except TrainingDiverged as exc:
            raise NntuiError(f"{exc}. Press r to start again with a lower learning rate."
                             ) from None

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
        """The run's ``config.toml`` (the run log writes it at the start; kept if there)."""
        assert self.run_dir is not None
        path = safe_export_path(self.run_dir, CONFIG_TOML)
        return path if path.exists() else write_config(path.parent, self.spec.to_dict())

    def export_paths(self) -> dict[str, Path]:
        """Where an export writes, by what: ``checkpoint``, ``screenshot`` (and ``config``,
        which the run log wrote at the start and an export leaves as it is)."""
        assert self.run_dir is not None
        return {"checkpoint": safe_export_path(self.run_dir, CHECKPOINT_NPZ),
                "screenshot": safe_export_path(self.run_dir, SCREENSHOT),
                "config": safe_export_path(self.run_dir, CONFIG_TOML)}


def warm_imports() -> None:
    """Import the slow, lazily imported libraries ahead of the first run (tensorboardX
    pulls in torch when installed: seconds on a cold disk)."""
    import tensorboardX  # noqa: F401
