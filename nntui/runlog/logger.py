"""``RunLogger``: the subscriber that turns the trainer's events into a run folder."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from nntui.engine.events import (
    EpochCompleted,
    Event,
    LearningRateChanged,
    ModelChanged,
    SnapshotTaken,
    StepCompleted,
    TrainingDivergedEvent,
    TrainingFailed,
    TrainingFinished,
    TrainingStarted,
)
from nntui.errors import CheckpointError
from nntui.runlog.checkpoint import save_checkpoint
from nntui.runlog.config import write_config
from nntui.runlog.gradient_watch import GradientsChecked, gradients_row
from nntui.runlog.kept_files import KeptFiles
from nntui.runlog.lock import RunLock
from nntui.runlog.metrics import CsvLog, JsonlLog
from nntui.runlog.rewind import rewind_logs
from nntui.runlog.rows import change_row, end_row, epoch_row, step_row
from nntui.runlog.rundir import (
    CHECKPOINT_SHARE,
    CHECKPOINTS_DIR,
    DEFAULT_BUDGET_MB,
    METRICS_CSV,
    METRICS_JSONL,
    TB_DIR,
    check_run_files,
    new_run_dir,
)
from nntui.runlog.snapshot_store import SnapshotWriter
from nntui.runlog.tensorboard import TensorBoardLog


class RunLogger:
    """Writes one run folder from the trainer's events.

    Subscribe it to the trainer (``handle`` or the object itself is the callback).
    Per event: ``TrainingStarted`` writes ``config.toml``; ``StepCompleted`` and
    ``EpochCompleted`` append a row to ``metrics.csv`` and ``metrics.jsonl`` and
    write TensorBoard scalars; ``SnapshotTaken`` writes weight/gradient
    histograms; the end events add a JSONL row. Rows are flushed at once and
    fsynced at epoch ends, at the end of training and on :meth:`close`.

    Args:
        run_dir: the run folder (created if missing; see :func:`new_run_dir`).
            An existing folder is appended to (a resumed run).
        metric_names: metric columns to declare in the CSV up front (optional;
            new metrics widen the CSV when they first appear).
        tensorboard: write TensorBoard event files to ``run_dir/tb``.
        tb_flush_secs: TensorBoard's background flush interval.
        resume_step: the step of the checkpoint a resumed run starts from: rows logged
            after it are cut first (see :mod:`~nntui.runlog.rewind`), and the start of
            the run adds a ``resumed`` row instead of rewriting ``config.toml``.
        changes: the config changes of that resume (``{"train.epochs": [2, 4]}``), kept
            in the ``resumed`` row.
        lock: the folder's :class:`RunLock`, when the caller took it already (a resume
            takes it before reading the checkpoint); else the logger takes it. Closing
            the logger releases it.
        snapshots: keep the snapshots in ``snapshots/`` (what replay and time travel
            draw the panels from) and the checkpoints in ``checkpoints/``.
        budget_mb: what those may take together (see ``rundir.DEFAULT_BUDGET_MB``); the
            oldest are thinned evenly past it. 0: no limit.

    Raises:
        CheckpointError: the folder or its files cannot be created, the folder is being
            written by another process, or one of its files is a link.

    Example:
        >>> with RunLogger.create("runs", "mlp-spiral") as log:   # doctest: +SKIP
        ...     trainer.subscribe(log.handle)
        ...     trainer.fit()
    """

    def __init__(
        self,
        run_dir: str | Path,
        *,
        metric_names: Iterable[str] = (),
        tensorboard: bool = True,
        tb_flush_secs: int = 10,
        resume_step: int | None = None,
        changes: Mapping[str, Any] | None = None,
        lock: RunLock | None = None,
        snapshots: bool = True,
        budget_mb: float = DEFAULT_BUDGET_MB,
    ) -> None:
        self.run_dir = Path(run_dir)
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CheckpointError(f"cannot create run folder {self.run_dir}: "
                                  f"{exc.strerror or exc}") from None
        self._run_lock = lock or RunLock.acquire(self.run_dir)
        self._lock = threading.Lock()  # handle() runs on the trainer thread, close() anywhere
        self._closed = False
        self._learning_rate: float | None = None
        self._resume_step, self._changes = resume_step, dict(changes or {})
        self.rows_cut = 0
        """Rows a resume cut: logged after the checkpoint by the interrupted session."""
        try:
            check_run_files(self.run_dir)
            if resume_step is not None:
                self.rows_cut = rewind_logs(self.run_dir, resume_step)
            self._csv = CsvLog(self.run_dir / METRICS_CSV, metric_names)
            self._jsonl = JsonlLog(self.run_dir / METRICS_JSONL)
            self._tb = (TensorBoardLog(self.run_dir / TB_DIR, tb_flush_secs) if tensorboard
                        else None)
            self.snapshots, self.checkpoints = _kept(self.run_dir, snapshots, budget_mb,
                                                     resume_step)
        except OSError as exc:
            self._run_lock.release()
            raise CheckpointError(f"cannot open the logs in {self.run_dir}: "
                                  f"{exc.strerror or exc}") from None
        except BaseException:
            self._run_lock.release()
            raise
        self._handlers: dict[type, Callable[[Any], None]] = {
            TrainingStarted: self._started,
            StepCompleted: self._step,
            EpochCompleted: self._epoch,
            SnapshotTaken: self._snapshot,
            LearningRateChanged: self._lr_changed,
            ModelChanged: self._changed,
            TrainingFinished: self._ended,
            TrainingFailed: self._ended,
            TrainingDivergedEvent: self._ended,
            GradientsChecked: self._gradients,
        }

    @classmethod
    def create(cls, base: str | Path = "runs", name: str = "run", **kwargs: Any) -> RunLogger:
        """A logger writing into a fresh folder from :func:`new_run_dir`."""
        return cls(new_run_dir(base, name), **kwargs)

    def handle(self, event: Event | GradientsChecked) -> None:
        """Write ``event`` to the logs. Events after :meth:`close` are ignored.

        Raises:
            CheckpointError: a log file cannot be written (disk full, removed folder).
        """
        handler = self._handlers.get(type(event))
        if handler is None:
            return  # pause/resume/checkpoint events carry nothing to log
        with self._lock:
            if self._closed:
                return
            try:
                handler(event)
            except OSError as exc:
                raise CheckpointError(f"cannot write run log in {self.run_dir}: "
                                      f"{exc.strerror or exc}") from None

    __call__ = handle

    def save_checkpoint(
        self, arrays: Mapping[str, np.ndarray], *, step: int, epoch: int, **meta: Any
    ) -> Path:
        """:func:`~nntui.runlog.save_checkpoint` into this run's folder."""
        return save_checkpoint(self.run_dir, arrays, step=step, epoch=epoch, **meta)

    def _started(self, event: TrainingStarted) -> None:
        if self._resume_step is None:
            write_config(self.run_dir, event.config)
        else:  # config.toml changes with the first checkpoint that holds the changes
            self._jsonl.write({"kind": "resumed", "step": int(event.start_step),
                               "epoch": int(event.start_epoch), "changes": self._changes})
        if event.start_step > 0 and self._tb is not None:
            self._tb.resumed(event.start_step)

    def _step(self, event: StepCompleted) -> None:
        self._learning_rate = event.learning_rate
        row = step_row(event)
        self._csv.write(row)
        self._jsonl.write(row)
        if self._tb is not None:
            self._tb.step(event)

    def _epoch(self, event: EpochCompleted) -> None:
        row = epoch_row(event, self._learning_rate)
        self._csv.write(row)
        self._jsonl.write(row)
        if self._tb is not None:
            self._tb.epoch(event)
            self._tb.flush()
        self._sync()

    def _snapshot(self, event: SnapshotTaken) -> None:
        if self.snapshots is not None:
            self.snapshots.put(event)
        if self._tb is not None:
            self._tb.snapshot(event)

    def keep_checkpoint(self, path: Path, step: int, epoch: int) -> None:
        """A copy of the checkpoint just written at ``path`` into ``checkpoints/`` (when
        kept): the run's past that forks and the inspector start from.

        Raises:
            CheckpointError: the copy cannot be written.
        """
        kept = self.checkpoints
        if kept is None or (kept.kept and kept.kept[-1].step == step):
            return  # the same step again (the end of the last epoch, then of training)
        with self._lock:
            try:
                with open(path, "rb") as src:
                    kept.add(step, epoch, lambda f: shutil.copyfileobj(src, f))
            except OSError as exc:
                raise CheckpointError(f"cannot keep a checkpoint in {self.run_dir}: "
                                      f"{exc.strerror or exc}") from None

    def _gradients(self, event: GradientsChecked) -> None:
        self._jsonl.write(gradients_row(event))

    def _lr_changed(self, event: LearningRateChanged) -> None:
        self._learning_rate = event.learning_rate

    def _changed(self, event: ModelChanged) -> None:
        self._jsonl.write(change_row(event))

    def _ended(self, event: TrainingFinished | TrainingFailed | TrainingDivergedEvent) -> None:
        self._jsonl.write(end_row(event))
        if self._tb is not None:
            self._tb.flush()
        self._sync()

    def _sync(self) -> None:
        self._csv.sync()
        self._jsonl.sync()

    def close(self) -> None:
        """Flush, fsync and close every log, and release the folder. Safe to call more
        than once.

        Every log is closed even when one fails (a full disk); then the first failure
        is raised.

        Raises:
            CheckpointError: a log could not be flushed or closed.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            first: OSError | CheckpointError | None = None
            for log in (self.snapshots, self.checkpoints, self._csv, self._jsonl, self._tb):
                try:
                    if log is not None:
                        log.close()
                except (OSError, CheckpointError) as exc:
                    first = first or exc
            self._run_lock.release()
        if isinstance(first, CheckpointError):
            raise first
        if first is not None:
            raise CheckpointError(f"cannot write run log in {self.run_dir}: "
                                  f"{first.strerror or first}")

    def __enter__(self) -> RunLogger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _kept(run_dir: Path, on: bool, budget_mb: float, resume_step: int | None
          ) -> tuple[SnapshotWriter | None, KeptFiles | None]:
    """The snapshot writer and the kept checkpoints of a run folder, sharing the budget."""
    if not on:
        return None, None
    budget = int(max(budget_mb, 0.0) * 2**20)
    share = int(budget * CHECKPOINT_SHARE)
    checkpoints = KeptFiles(run_dir / CHECKPOINTS_DIR, share, resume_step)
    return SnapshotWriter(run_dir, budget - share, resume_step), checkpoints
