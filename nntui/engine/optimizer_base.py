"""The optimizer template: the base walks (parameter, gradient) pairs, clips, follows a
learning-rate schedule, and calls ``update`` for one array at a time; a subclass
(``optimizers.py``) writes only ``init_state`` and ``update`` (MLX's optimizer template).

An ``update`` runs as a backend kernel (``ops.adam_update`` ...), in place on NumPy
(see ``optimizers.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Backend
from nntui.engine.schedules import LearningRateSchedule, serialize
from nntui.errors import ConfigError


class Optimizer:
    """Base optimizer.

    Args:
        learning_rate: step size, or a schedule (``schedules.ExponentialDecay(...)``) the
            optimizer asks for the rate before every update, as Keras does. Setting a
            number while training replaces a schedule (the dashboard's live change;
            Keras refuses it).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to [-v, v].
        global_clipnorm: scale all gradients together so their global norm is at most this.
    """

    name = "optimizer"

    def __init__(self, learning_rate: Any = 0.001, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        self._schedule: LearningRateSchedule | None = None
        self.learning_rate = learning_rate
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ConfigError("set only one of clipnorm, clipvalue and global_clipnorm")
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.iterations = 0
        self.state: dict[str, dict[str, Array]] = {}
        self._norm: float | None = 0.0  # last step's global gradient norm, once computed
        self._norm_of: tuple[Backend, list[Array]] | None = None  # what it is computed from

    @property
    def learning_rate(self) -> float:
        """The rate the next update uses (a schedule's value at ``iterations``)."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, LearningRateSchedule):
            self._schedule = value
            self._lr = float(value(0))
            return
        if (not isinstance(value, (int, float, np.floating)) or isinstance(value, bool)
                or not math.isfinite(value) or value <= 0):
            raise ConfigError("learning_rate must be a positive number or a schedule "
                              f"(nntui.optimizers.schedules). Received: {value!r}")
        self._schedule = None
        self._lr = float(value)

    @property
    def schedule(self) -> LearningRateSchedule | None:
        """The learning-rate schedule, or None for a constant rate."""
        return self._schedule

    @property
    def last_learning_rate(self) -> float:
        """The rate the last update used (what a step's log line shows)."""
        return self._lr

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        return {}

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        raise NotImplementedError

    def apply(self, ops: Backend, items: list[tuple[str, Array, Array]]) -> list[Array]:
        """Update every (key, param, grad); returns the new params in order."""
        grads = self._clip(ops, [g for _, _, g in items])
        if self._schedule is not None:  # Keras: step k (from 0) uses schedule(k)
            self._lr = float(self._schedule(self.iterations))
        out = []
        for (key, param, _), grad in zip(items, grads, strict=True):
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = self.init_state(ops, param)
            out.append(self.update(ops, param, grad, state))
        self.iterations += 1
        return out

    @property
    def last_global_norm(self) -> float:
        """Global L2 norm of the last step's gradients, before clipping.

        Computed when first read (gradient watch, dashboard), not in every step: the
        layers' gradient arrays stay untouched until their next backward replaces them.
        """
        if self._norm is None and self._norm_of is not None:
            ops, grads = self._norm_of
            self._norm = math.sqrt(sum(ops.squared_norm(g) for g in grads))
            self._norm_of = None
        return self._norm or 0.0

    @last_global_norm.setter
    def last_global_norm(self, value: float) -> None:
        self._norm, self._norm_of = float(value), None

    def _clip(self, ops: Backend, grads: list[Array]) -> list[Array]:
        if not (self.clipnorm or self.global_clipnorm):
            self._norm, self._norm_of = None, (ops, list(grads))
            if self.clipvalue:
                return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
            return grads
        sq = [ops.squared_norm(g) for g in grads]
        total = math.sqrt(sum(sq)) if grads else 0.0
        self.last_global_norm = total
        if self.clipnorm:
            norms = [math.sqrt(s) for s in sq]
            return [g * (self.clipnorm / max(n, self.clipnorm)) for g, n in zip(grads, norms,
                                                                                 strict=True)]
        if self.global_clipnorm and total > self.global_clipnorm:
            scale = self.global_clipnorm / total
            return [g * scale for g in grads]
        if self.clipvalue:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_config(self) -> dict[str, Any]:
        lr: Any = self._lr if self._schedule is None else serialize(self._schedule)
        cfg: dict[str, Any] = {"name": self.name, "learning_rate": lr}
        for k in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, k) is not None:
                cfg[k] = getattr(self, k)
        return cfg
