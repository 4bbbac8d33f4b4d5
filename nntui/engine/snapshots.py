"""Snapshots: downsampled weights, gradients and activations of every layer at one step."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from nntui.engine import events as ev
from nntui.engine.learner import Learner


class Loop(Protocol):
    """What a :class:`SnapshotTaker` reads of its trainer."""

    model: Learner
    step: int
    epoch: int
    snapshot_every: int
    snapshot_interval: float
    extras: Callable[..., dict[str, Any]] | None
    x_val: Any
    y_val: Any

MAX_SNAPSHOT_VALUES = 2048  # per array: snapshots are downsampled so events stay small


class SnapshotTaker:
    """When a trainer's snapshots are taken, and what they hold.

    Every ``trainer.snapshot_every`` steps, at least ``trainer.snapshot_interval`` seconds
    apart (the app's throttle); and *fresh* whenever the loop is about to wait (paused,
    the end of a step or an epoch run while paused) or end: then the panels' extras are
    computed in full at that step, nothing throttled or reused. The layers are sampled
    once per step: a second snapshot of a step reuses them (extras may run traced steps
    that overwrite the layers' gradients).
    """

    def __init__(self, trainer: Loop) -> None:
        self.trainer = trainer
        self.rng = np.random.default_rng(0)  # its own: watching must not change training
        self.picks: dict[int, np.ndarray] = {}  # array size -> the positions sampled
        self._last_time = -math.inf  # time.monotonic() of the last snapshot
        self._fresh_at = -1  # step of the last fresh snapshot
        self._sampled: tuple[int, tuple[ev.LayerSnapshot, ...]] = (-1, ())  # step, layers
        self.last_batch: Any = None  # the last training batch's inputs
        self.epoch = trainer.epoch  # the epoch of the last step

    def due(self, fresh: bool) -> bool:
        """Whether the step about to run is snapshotted (``fresh``: the loop waits or ends
        after it); when it is, the step records every layer's output."""
        t = self.trainer
        if not t.snapshot_every:
            return False
        snap = fresh or (t.step + 1) % t.snapshot_every == 0
        now = time.monotonic()
        if snap and not fresh and t.snapshot_interval:
            snap = now - self._last_time >= t.snapshot_interval
        if snap:
            self._last_time = now
            t.model.record_outputs = True
        return snap

    def stepped(self, xb: Any) -> None:
        """A step ran on ``xb``."""
        self.last_batch, self.epoch = xb, self.trainer.epoch

    def settle(self, force: bool = False) -> ev.SnapshotTaken | None:
        """The fresh snapshot of the model as it is now, for the loop that waits or ends;
        None when this step has one already (``force``: the model changed outside the
        loop, e.g. the inspector's applied step, so it is sampled again)."""
        t = self.trainer
        if force:
            self._sampled = (-1, ())
        if not t.snapshot_every or not (t.step or force) or \
                (self._fresh_at == t.step and not force):
            return None
        if self._sampled[0] != t.step and self.last_batch is not None:
            record_activations(t.model, self.last_batch)  # of the weights as they are
        return self.take(fresh=True)

    def take(self, fresh: bool = False) -> ev.SnapshotTaken:
        """Every layer now and the panels' extras (``fresh``: computed in full)."""
        t = self.trainer
        if self._sampled[0] != t.step:
            self._sampled = (t.step, sample_layers(t.model, self.rng, self.picks))
        extras = (t.extras(t.model, t.x_val, t.y_val, step=t.step, fresh=fresh)
                  if t.extras else {})
        if fresh:
            self._fresh_at = t.step
        rule = None if t.model.uses_gradients else getattr(
            t.model, "update_rule", "a rule without gradients")
        return ev.SnapshotTaken(t.step, self.epoch, self._sampled[1], extras, fresh=fresh,
                                update_rule=rule)


def take_snapshot(model: Learner, rng: np.random.Generator, step: int, epoch: int,
                  extras: dict[str, Any]) -> ev.SnapshotTaken:
    """Every layer of ``model`` now (:func:`sample_layers`) with ``extras``, as an event."""
    return ev.SnapshotTaken(step, epoch, sample_layers(model, rng), extras)


def sample_layers(model: Learner, rng: np.random.Generator,
                  picks: dict[int, np.ndarray] | None = None) -> tuple[ev.LayerSnapshot, ...]:
    """Every layer's weights, gradients and last recorded output, each downsampled to at
    most :data:`MAX_SNAPSHOT_VALUES` values with ``rng`` (its own generator: watching must
    not change the shuffle order).

    ``picks`` (array size -> positions) keeps the positions drawn for each size, so later
    snapshots sample the same weights: drawing 2,048 of 200,000 positions afresh cost
    more than the rest of a snapshot (measured: 0.8 of 1.1 ms for the bench's MLP), and
    a histogram of the same sample moves only where the weights move.

    A learner that takes no gradients (the perceptron rule) has no gradients to show:
    its layers' ``grads`` are empty and ``grad_norm`` is NaN.
    """
    ops = model.ops
    outputs = model.layer_outputs
    grads_too = model.uses_gradients
    keep: dict[int, np.ndarray] = {} if picks is None else picks

    def sample(a: np.ndarray) -> np.ndarray:
        return _sample(a, rng, keep)

    layers = []
    for i, layer in enumerate(model.layers):
        w = {k: sample(ops.to_numpy(v)) for k, v in layer.params.items()}
        grads = {k: ops.to_numpy(v) for k, v in layer.grads.items()
                 if v is not None and grads_too}
        norm = math.sqrt(sum(_squared(g) for g in grads.values())) if grads_too else math.nan
        act = ops.to_numpy(outputs[i]) if i < len(outputs) else None
        dead = None
        if act is not None and _is_relu(layer):
            flat = act.reshape(act.shape[0], -1)
            dead = float(np.mean(np.all(flat <= 0, axis=0)))
        layers.append(ev.LayerSnapshot(
            layer.name, type(layer).__name__, w, {k: sample(g) for k, g in grads.items()},
            None if act is None else sample(act), norm, dead,
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


def _sample(a: np.ndarray, rng: np.random.Generator, picks: dict[int, np.ndarray]
            ) -> np.ndarray:
    """At most MAX_SNAPSHOT_VALUES of ``a``'s values: all of them, or the positions
    ``picks`` holds for its size (drawn with ``rng`` the first time, without
    replacement, in ascending order)."""
    flat = a.reshape(-1)
    if flat.size <= MAX_SNAPSHOT_VALUES:
        return flat.copy()
    where = picks.get(flat.size)
    if where is None:
        where = picks[flat.size] = np.sort(
            rng.choice(flat.size, MAX_SNAPSHOT_VALUES, replace=False))
    return flat[where]


def _squared(g: np.ndarray) -> float:
    """The sum of ``g``'s squares (one pass, no temporary array)."""
    flat = g.reshape(-1)
    return float(np.dot(flat, flat)) if flat.dtype.kind == "f" else float(np.sum(np.square(g)))


def _is_relu(layer: Any) -> bool:
    act = getattr(layer, "activation", None) or getattr(layer, "fn", None)
    return getattr(act, "name", "") == "relu"
