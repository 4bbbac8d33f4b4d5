"""What a run remembers beside its weights and position, for an exact resume: the
watching callbacks' state (EarlyStopping's best value, patience count and best weights;
ReduceLROnPlateau's count and cooldown) and each optimizer's learning rate, which may
have moved while the run learned (a key in the app, ReduceLROnPlateau).

Callbacks are named by class and order (``"EarlyStopping#0"``), so a resume whose
config drops one simply has nothing to give it, and one added starts afresh.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.callbacks.monitor import MonitorCallback
from nntui.engine.trainer import Trainer
from nntui.errors import CheckpointError

PREFIX = "callbacks/"
"""Checkpoint arrays of the callbacks' kept weights: ``callbacks/EarlyStopping#0/3``."""


def _monitors(trainer: Trainer) -> dict[str, MonitorCallback]:
    out: dict[str, MonitorCallback] = {}
    for cb in trainer.callbacks.callbacks:
        if isinstance(cb, MonitorCallback):
            name = type(cb).__name__
            out[f"{name}#{sum(k.startswith(name + '#') for k in out)}"] = cb
    return out


def callback_states(trainer: Trainer) -> tuple[dict[str, dict[str, Any]], dict[str, np.ndarray]]:
    """``({"EarlyStopping#0": {"best": 0.31, "wait": 2, ...}}, {kept weights by name})``."""
    states, arrays = {}, {}
    for key, cb in _monitors(trainer).items():
        states[key] = cb.state()
        for i, w in enumerate(cb.kept_weights()):
            arrays[f"{PREFIX}{key}/{i}"] = w
    return states, arrays


def restore_callbacks(trainer: Trainer, states: dict[str, dict[str, Any]],
                      arrays: dict[str, np.ndarray]) -> None:
    """Give each watching callback its saved state (taken when training starts).

    Raises:
        CheckpointError: a callback's saved weights do not fit the model.
    """
    shapes = [np.shape(w) for w in trainer.model.get_weights()] if states else []
    for key, cb in _monitors(trainer).items():
        if key not in states:
            continue
        kept: list[np.ndarray] = []
        while f"{PREFIX}{key}/{len(kept)}" in arrays:
            kept.append(arrays[f"{PREFIX}{key}/{len(kept)}"])
        if kept and [w.shape for w in kept] != shapes:
            raise CheckpointError(f"the checkpoint's {key} weights do not fit this model; "
                                  "it was written by a different model")
        cb.resume(states[key], kept)


def config_learning_rate(trainer: Trainer) -> float | None:
    """The learning rate the run's config gives (None: none, or a schedule)."""
    value = (trainer.config.get("train") or {}).get("learning_rate")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def new_learning_rate(trainer: Trainer, saved_config_rate: float | None) -> bool:
    """Whether the trainer's config sets another learning rate than the config of the
    run a checkpoint was saved from (a fork or resume with ``train.learning_rate``):
    then the rate the run had reached is not carried over."""
    now = config_learning_rate(trainer)
    return now is not None and saved_config_rate is not None and now != saved_config_rate


def learning_rates(model: Any) -> dict[str, float]:
    """Each optimizer's learning rate by part, where it is a number (not a schedule)."""
    return {tag: float(part.optimizer.learning_rate) for tag, part in model.parts()
            if part.optimizer is not None and part.optimizer.schedule is None}


def restore_learning_rates(model: Any, rates: dict[str, float]) -> None:
    """Set the saved learning rates (a schedule is left to its own step count)."""
    for tag, part in model.parts():
        if tag in rates and part.optimizer is not None and part.optimizer.schedule is None:
            part.optimizer.learning_rate = float(rates[tag])
