"""What an architecture is: :class:`Architecture`, and the :class:`Session` it builds.

Each family module in this package (``mlp.py``, ``cnn.py``, ...) defines one or more
``Architecture`` values in a module-level ``ARCHITECTURES`` tuple; the registry
(:mod:`nntui.architectures.registry`) collects them. An architecture holds
everything the rest of nntui needs to know about it: its launcher description,
its ``[model]`` fields with their checks and defaults, how to build a model for a
dataset, the data its dashboard panel draws, and which panel draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.architectures.fields import ModelField, check_model
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.callbacks import EarlyStopping
from nntui.engine.learner import Learner
from nntui.engine.trainer import Trainer

Builder = Callable[[RunSpec, Dataset], "Session"]
PanelData = Callable[["Session", Any, np.ndarray, np.ndarray], dict[str, Any]]
"""``panel_data(session, model, x_val, y_val) -> extras`` for a snapshot (see
:mod:`nntui.panel_data`): plain NumPy arrays and numbers, bounded in size."""

TRAIN_KEYS = ("optimizer", "learning_rate", "momentum", "loss", "metrics", "batch_size",
              "epochs", "seed", "backend", "validation_split", "l1", "l2", "dropout",
              "clipnorm", "snapshot_every", "lr_schedule", "lr_decay_steps", "lr_decay_rate",
              "early_stopping")
"""Every ``[train]`` key (``TrainSpec``'s fields), in launcher order."""


@dataclass(frozen=True)
class Architecture:
    """One architecture of the course.

    Attributes:
        name: the config name (``architecture = "mlp"``).
        title: what the launcher calls it.
        one_line: what it is for, in one line.
        input_kinds: the dataset input kinds it takes (``"points2d"``, ``"image"``...).
        default_preset: the preset the launcher opens it with.
        fields: its ``[model]`` keys with their checks, defaults and labels.
        build: ``build(spec, dataset) -> Session``.
        panel_data: the extras of a snapshot its panel draws.
        panel: the name of the dashboard view that draws them (``nntui.app.panels``).
        order: its place in the launcher's list.
        unused_train: ``[train]`` keys it does not read (the launcher hides them, and a
            config that sets one is refused, so no setting is silently ignored).
        datasets: when set, only these datasets (the perceptron: two classes).
        check_model_extra: cross-field checks of ``[model]`` beyond each field's own.
        check_data: what the input kind alone cannot tell (raises ConfigError).
        units_field: the ``[model]`` list of layer sizes the launcher's units field edits.
    """

    name: str
    title: str
    one_line: str
    input_kinds: tuple[str, ...]
    default_preset: str
    fields: tuple[ModelField, ...]
    build: Builder
    panel_data: PanelData
    panel: str
    order: int
    unused_train: frozenset[str] = frozenset()
    datasets: tuple[str, ...] = ()
    check_model_extra: Callable[[dict[str, Any]], None] | None = None
    check_data: Callable[[RunSpec, Dataset], None] | None = None
    units_field: str | None = None

    @property
    def train_fields(self) -> tuple[str, ...]:
        """The ``[train]`` keys it reads, in launcher order."""
        return tuple(k for k in TRAIN_KEYS if k not in self.unused_train)

    def field(self, name: str) -> ModelField:
        return next(f for f in self.fields if f.name == name)

    def value(self, model: dict[str, Any], name: str) -> Any:
        """``model[name]``, or the field's default when the config leaves it out."""
        return model[name] if name in model else self.field(name).default

    def check_model(self, model: dict[str, Any]) -> None:
        """Validate a ``[model]`` table.

        Raises:
            ConfigError: an unknown key, a bad value, or values that do not fit together.
        """
        check_model(self.name, self.fields, model)
        if self.check_model_extra is not None:
            self.check_model_extra(model)


@dataclass
class Session:
    """Everything one run needs.

    Attributes:
        spec: the validated run spec.
        architecture: what ``spec.architecture`` names.
        dataset: the loaded Dataset.
        model: the learner (a Sequential, the Perceptron or a GAN).
        x_train, y_train, x_val, y_val: the arrays the trainer uses (inputs may be noisy
            for the denoising autoencoder; no validation arrays when
            ``train.validation_split`` is 0).
        info: architecture extras (e.g. transfer learning's accuracy before fine-tuning;
            ``callbacks``: a function making the Keras callbacks each new trainer runs).
    """

    spec: RunSpec
    architecture: Architecture
    dataset: Dataset
    model: Learner
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    info: dict[str, Any] = field(default_factory=dict)

    def trainer(self, snapshot_every: int | None = None, on_divergence: str = "pause",
                run_name: str | None = None) -> Trainer:
        """A fresh Trainer for this session (not started)."""
        t = self.spec.train
        val = (self.x_val, self.y_val) if self.x_val is not None and len(self.x_val) else None
        stop = [EarlyStopping(monitor="val_loss" if val else "loss", patience=t.early_stopping,
                              restore_best_weights=True)] if t.early_stopping else []
        return Trainer(self.model, self.x_train, self.y_train, batch_size=t.batch_size,
                       epochs=t.epochs, validation_data=val, shuffle=True, seed=t.seed,
                       snapshot_every=(t.snapshot_every if snapshot_every is None
                                       else snapshot_every),
                       on_divergence=on_divergence, extras=self.extras,
                       run_name=run_name or self.spec.name, config=self.spec.to_dict(),
                       callbacks=stop + list(self.info.get("callbacks", list)()))

    def extras(self, model: Any, x_val: Any, y_val: Any, *, step: int = 0,
               fresh: bool = False) -> dict[str, Any]:
        """The architecture's panel data for a snapshot at ``step`` (throttled unless
        ``fresh``; see ``nntui.panel_data``)."""
        from nntui.panel_data import panel_data

        return panel_data(self, model, x_val, y_val, step=step, fresh=fresh)
