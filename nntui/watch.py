"""Watch your own code: ``nntui.Dashboard`` writes a learner's ``fit`` into a run folder.

Any ``fit`` becomes a run folder like the app's (metrics, snapshots with the panels'
data, kept checkpoints), so ``nntui replay`` shows it at full fidelity, live or later,
and ``nntui run script.py`` shows every ``fit`` of a script as it trains::

    model.fit(x, y, epochs=5, callbacks=[nntui.Dashboard()])   # Keras-shaped
    with nntui.Dashboard():                                      # any fit inside,
        MLPClassifier(max_iter=50).fit(X, y)                     # the estimators too

The panel is chosen by what the model contains (:func:`model_architecture`): conv
feature maps when there is a Conv2D, gates when there is an LSTM, GRU or SimpleRNN,
attention when there is self-attention, decision regions when the input is 2-D.
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from nntui.engine import events as ev
from nntui.engine.reporting import add_watcher, remove_watcher
from nntui.runlog.rundir import DEFAULT_BUDGET_MB

WATCH_ENV = "NNTUI_WATCH"
"""Set by ``nntui run`` to the folder every ``fit`` of the script is written under."""
SNAPSHOT_SECONDS = 1.0  # as `nntui train`: a snapshot a second at most, and the last one
SNAPSHOT_EVERY = 10
RECURRENT = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
ATTENTION = {"MultiHeadSelfAttention", "TransformerBlock"}


def model_architecture(model: Any, x: np.ndarray) -> str:
    """The architecture whose panel shows ``model`` best, from the layers it contains and
    its inputs: ``"cnn"``, ``"lstm"``/``"gru"``/``"rnn"``, ``"transformer"`` or
    ``"mlp"`` (decision regions for 2-D points, a fit curve for 1-D, images)."""
    kinds = [type(layer).__name__ for layer in getattr(model, "layers", [])]
    if "Conv2D" in kinds:
        return "cnn"
    if ATTENTION & set(kinds):
        return "transformer"
    for kind in kinds:
        if kind in RECURRENT:
            return RECURRENT[kind]
    return "mlp"


@dataclass
class WatchedSession:
    """What the panels' data builders read of a session, made from a learner's fit."""

    architecture: Any
    dataset: Any
    x_train: np.ndarray
    y_train: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)


def sparse_labels(y: np.ndarray | None) -> np.ndarray | None:
    """One-hot targets (an estimator's, or categorical cross-entropy's) as class indices."""
    if y is None:
        return None
    y = np.asarray(y)
    return y.argmax(axis=-1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y), -1)[:, 0]


def watched_session(trainer: Any, architecture: str) -> WatchedSession:
    """The session the panel data of ``architecture`` is computed from: the trainer's
    arrays, its task read from the loss."""
    from nntui.architectures import ARCHITECTURES
    from nntui.data.dataset import Dataset

    model, x = trainer.model, np.asarray(trainer.x)
    loss = getattr(getattr(model, "loss", None), "name", "")
    task = "classification" if "crossentropy" in loss else "regression"
    y = sparse_labels(trainer.y) if task == "classification" else np.asarray(trainer.y)
    assert y is not None
    k = int(np.prod(model.sample_output_shape)) if task == "classification" else None
    k = max(k or 2, 2) if task == "classification" else None
    dataset = Dataset("your data", x, y, x[:0], y[:0], task, k, None, tuple(x.shape[1:]),
                      "the arrays given to fit")
    return WatchedSession(ARCHITECTURES[architecture], dataset, x, y)


class _Watch:
    """One watched fit: its run logger, checkpoints and panel data."""

    def __init__(self, trainer: Any, base: Path, name: str, budget_mb: float) -> None:
        from nntui.runlog import RunLogger
        from nntui.runlog.run_checkpoint import CheckpointWriter

        self.trainer = trainer
        self.architecture = model_architecture(trainer.model, trainer.x)
        self.session = watched_session(trainer, self.architecture)
        self.logger = RunLogger.create(base, name, tensorboard=False, budget_mb=budget_mb)
        self.run_dir = self.logger.run_dir
        trainer.config = {**trainer.config, "name": name, "architecture": self.architecture,
                          "train": {"epochs": trainer.epochs, "batch_size": trainer.batch_size,
                                    "backend": trainer.model.backend}}
        if not trainer.snapshot_every:
            trainer.snapshot_every = SNAPSHOT_EVERY
        trainer.snapshot_interval = max(trainer.snapshot_interval, SNAPSHOT_SECONDS)
        if trainer.extras is None:
            trainer.extras = self.extras
        trainer.subscribe(self.logger.handle)
        trainer.subscribe(CheckpointWriter(self.logger, trainer))
        trainer.subscribe(self._ended)

    def extras(self, model: Any, x_val: Any, y_val: Any, *, step: int = 0,
               fresh: bool = False) -> dict[str, Any]:
        """The panel's data; a model the panel cannot read keeps its curves and histograms
        (said once, as a warning) rather than stopping the learner's fit."""
        from nntui.panel_data import panel_data

        try:
            y = sparse_labels(y_val) if self.session.dataset.task == "classification" else y_val
            return panel_data(self.session, model, x_val, y, step=step, fresh=fresh)
        except Exception as exc:  # noqa: BLE001 - the learner's model, not ours: warn, go on
            self.trainer.extras = None
            warnings.warn(f"nntui.Dashboard: no {self.architecture} panel for this model "
                          f"({type(exc).__name__}: {exc}); curves and histograms are kept",
                          stacklevel=2)
            return {}

    def _ended(self, event: Any) -> None:
        if isinstance(event, ev.TrainingFinished | ev.TrainingFailed | ev.TrainingDivergedEvent):
            self.logger.close()


class Dashboard:
    """Writes each watched ``fit`` into a new run folder under ``log_dir``.

    Args:
        log_dir: parent of the run folders (``$NNTUI_WATCH`` under ``nntui run``).
        name: the run folders' name (default: the model's name).
        budget_mb: what snapshots and checkpoints may take per run (0: no limit).

    Attributes:
        run_dirs: the folders written, one per fit, oldest first.

    Example:
        >>> model.fit(x, y, callbacks=[nntui.Dashboard()])  # doctest: +SKIP
        >>> # in another terminal: nntui replay runs/<the folder it printed>
    """

    def __init__(self, log_dir: str | Path | None = None, name: str | None = None,
                 budget_mb: float = DEFAULT_BUDGET_MB, quiet: bool = False) -> None:
        self.log_dir = Path(log_dir or os.environ.get(WATCH_ENV) or "runs")
        self.name, self.budget_mb, self.quiet = name, budget_mb, quiet
        self.run_dirs: list[Path] = []
        self._watches: list[_Watch] = []

    def attach(self, trainer: Any) -> None:
        """Called by ``fit`` before it trains: the run folder and the snapshots."""
        name = self.name or str(getattr(trainer.model, "name", "") or trainer.run_name)
        watch = _Watch(trainer, self.log_dir, name, self.budget_mb)
        self._watches.append(watch)
        self.run_dirs.append(watch.run_dir)
        if not self.quiet:
            print(f"nntui: writing {watch.run_dir} (watch it: nntui replay {watch.run_dir})",
                  file=sys.stderr)

    def __enter__(self) -> Dashboard:
        add_watcher(self.attach)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        remove_watcher(self.attach)
        self.close()

    def close(self) -> None:
        """Close every run folder still open (a fit that raised)."""
        for watch in self._watches:
            watch.logger.close()


def watch_from_environment() -> None:
    """Under ``nntui run``: every fit of the script is watched (``$NNTUI_WATCH``)."""
    if os.environ.get(WATCH_ENV):
        add_watcher(Dashboard(quiet=True).attach)
