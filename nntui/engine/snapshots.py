"""Snapshots: downsampled weights, gradients and activations of every layer at one step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nntui.engine import events as ev
from nntui.engine.learner import Learner

MAX_SNAPSHOT_VALUES = 2048  # per array: snapshots are downsampled so events stay small


def take_snapshot(model: Learner, rng: np.random.Generator, step: int, epoch: int,
                  extras: dict[str, Any]) -> ev.SnapshotTaken:
    """Every layer of ``model`` now (:func:`sample_layers`) with ``extras``, as an event."""
    return ev.SnapshotTaken(step, epoch, sample_layers(model, rng), extras)


def sample_layers(model: Learner, rng: np.random.Generator) -> tuple[ev.LayerSnapshot, ...]:
    """Every layer's weights, gradients and last recorded output, each downsampled to at
    most :data:`MAX_SNAPSHOT_VALUES` values with ``rng`` (its own generator: watching must
    not change the shuffle order).

    A learner that takes no gradients (the perceptron rule) has no gradients to show:
    its layers' ``grads`` are empty and ``grad_norm`` is NaN.
    """
    ops = model.ops
    outputs = model.layer_outputs
    grads_too = model.uses_gradients
    layers = []
    for i, layer in enumerate(model.layers):
        w = {k: _sample(ops.to_numpy(v), rng) for k, v in layer.params.items()}
        grads = {k: ops.to_numpy(v) for k, v in layer.grads.items()
                 if v is not None and grads_too}
        norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())
                         ) if grads_too else math.nan
        act = ops.to_numpy(outputs[i]) if i < len(outputs) else None
        dead = None
        if act is not None and _is_relu(layer):
            flat = act.reshape(act.shape[0], -1)
            dead = float(np.mean(np.all(flat <= 0, axis=0)))
        layers.append(ev.LayerSnapshot(
            layer.name, type(layer).__name__, w, {k: _sample(g, rng) for k, g in grads.items()},
            None if act is None else _sample(act, rng), norm, dead,
            bool(getattr(layer, "trainable", True))))
    return tuple(layers)


def record_activations(model: Learner, xb: Any) -> None:
    """Run ``xb`` through the model in inference mode, keeping every layer's output for
    the next snapshot (a learner without a ``forward``, the GAN, keeps none)."""
    forward = getattr(model, "forward", None)
    if forward is None:
        return
    model.record_outputs = True
    try:
        forward(xb, training=False)
    finally:
        model.record_outputs = False


def _sample(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    flat = a.reshape(-1)
    if flat.size <= MAX_SNAPSHOT_VALUES:
        return flat.copy()
    return flat[rng.choice(flat.size, MAX_SNAPSHOT_VALUES, replace=False)]


def _is_relu(layer: Any) -> bool:
    act = getattr(layer, "activation", None) or getattr(layer, "fn", None)
    return getattr(act, "name", "") == "relu"
