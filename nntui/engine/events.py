"""Immutable events the trainer emits; the app and the run-log writers subscribe.

Events carry plain Python numbers and NumPy arrays only (never backend arrays), so
a subscriber on another thread can keep them without touching the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TrainingStarted:
    """A run begins. ``config`` is the resolved run config as a plain dict."""

    run_name: str
    backend: str
    total_epochs: int
    steps_per_epoch: int
    config: dict[str, Any] = field(default_factory=dict)
    start_step: int = 0
    start_epoch: int = 0


@dataclass(frozen=True)
class StepCompleted:
    """One optimizer step finished.

    ``metrics`` holds the batch loss under ``"loss"`` and every compiled metric
    (e.g. ``"accuracy"``); GANs report ``"d_loss"``, ``"g_loss"``, ``"d_real"``, ``"d_fake"``.
    """

    step: int  # global step, counted from 1
    epoch: int  # 1-based epoch this step belongs to
    batch: int  # 1-based batch within the epoch
    metrics: dict[str, float]
    learning_rate: float
    samples_per_second: float
    elapsed: float  # seconds since the run started


@dataclass(frozen=True)
class EpochCompleted:
    """An epoch finished; ``metrics`` are epoch means, ``val_*`` keys for validation."""

    epoch: int
    step: int
    metrics: dict[str, float]
    elapsed: float


@dataclass(frozen=True)
class LayerSnapshot:
    """Downsampled internals of one layer at one step.

    ``weights`` and ``grads`` map parameter names (``"kernel"``, ``"bias"``, ...)
    to NumPy copies; ``activation`` is a sample of the layer's output.
    """

    name: str
    kind: str  # class name, e.g. "Dense"
    weights: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    activation: np.ndarray | None
    grad_norm: float
    dead_fraction: float | None  # share of ReLU units that are 0 on the whole batch
    trainable: bool = True  # False for a frozen layer (transfer learning): no weight gradients


@dataclass(frozen=True)
class SnapshotTaken:
    """Snapshot of every layer, plus architecture extras (see panels).

    Taken every ``snapshot_every`` steps (time-throttled in the app), and *fresh*
    whenever training stops to wait or ends: then the extras are computed in full at
    this step, nothing reused. ``update_rule`` names the rule that trains a learner
    without gradients (the perceptron rule; its layers carry no gradients), None for
    gradient descent.
    """

    step: int
    epoch: int
    layers: tuple[LayerSnapshot, ...]
    extras: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False
    update_rule: str | None = None


@dataclass(frozen=True)
class TrainingPaused:
    step: int


@dataclass(frozen=True)
class TrainingResumed:
    step: int


@dataclass(frozen=True)
class LearningRateChanged:
    step: int
    learning_rate: float


@dataclass(frozen=True)
class ModelChanged:
    """The learner changed the model while it learns (``nntui.engine.surgery``): applied
    between step ``step`` and the next one.

    ``action`` is ``freeze``, ``unfreeze``, ``ablate``, ``restore``, ``reinitialise``,
    ``dropout``, ``l2`` or ``data`` (the training data was redrawn); ``text`` says what
    changed in words.
    """

    step: int
    epoch: int
    action: str
    layer: str = ""
    unit: int = -1
    value: float = 0.0
    seed: int = 0
    text: str = ""


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: str


@dataclass(frozen=True)
class TrainingDivergedEvent:
    """Loss or weights became NaN/inf; training paused, last good checkpoint kept."""

    step: int
    message: str


@dataclass(frozen=True)
class TrainingFinished:
    step: int
    epoch: int
    metrics: dict[str, float]
    stopped_early: bool = False  # True when the user stopped it (q, Ctrl+C)


@dataclass(frozen=True)
class TrainingFailed:
    step: int
    message: str


Event = (
    TrainingStarted
    | StepCompleted
    | EpochCompleted
    | SnapshotTaken
    | TrainingPaused
    | TrainingResumed
    | LearningRateChanged
    | ModelChanged
    | CheckpointSaved
    | TrainingDivergedEvent
    | TrainingFinished
    | TrainingFailed
)
