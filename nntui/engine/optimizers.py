"""SGD (momentum), RMSprop and Adam with Keras 3's formulas and defaults.

Each writes only ``init_state`` and ``update`` for one array; the base class
(``optimizer_base.py``) walks the parameters, clips and follows schedules. Numbers
match Keras: Adam's ε = 1e-7 outside the square root with the bias correction folded
into the step size, RMSprop's ρ = 0.9 with ε inside the square root.

Each ``update`` is its formula as one backend kernel (``ops.adam_update`` ...): NumPy
runs it in place, in one compiled pass over the arrays when numba is installed (the
~12 element-wise passes of Adam's NumPy form made it the largest cost of an MLP step),
MLX as mx operations in its lazy graph.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from nntui.engine.backend.base import Array, Backend
from nntui.engine.optimizer_base import Optimizer
from nntui.engine.schedules import deserialize
from nntui.errors import ConfigError

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "get_optimizer"]


class SGD(Optimizer):
    """m = μ·m − η·g;  w = w + m  (Nesterov: w = w + μ·m − η·g). Plain SGD when μ = 0.

    Example:
        >>> SGD(learning_rate=0.01, momentum=0.9)
    """

    name = "sgd"

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ConfigError(f"momentum must be in [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        return {"m": ops.zeros_like(param)} if self.momentum else {}

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        param, m = ops.sgd_update(param, grad, state.get("m"), self._lr, self.momentum,
                                  self.nesterov)
        if m is not None:
            state["m"] = m
        return param

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """v = ρ·v + (1−ρ)·g²;  w = w − η·g / sqrt(v + ε)."""

    name = "rmsprop"

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        state = {"v": ops.zeros_like(param)}
        if self.momentum:
            state["m"] = ops.zeros_like(param)
        return state

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        param, state["v"], m = ops.rmsprop_update(param, grad, state["v"], state.get("m"),
                                                  self._lr, self.rho, self.momentum,
                                                  self.epsilon)
        if m is not None:
            state["m"] = m
        return param

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon}


class Adam(Optimizer):
    """m += (g − m)(1−β1);  v += (g² − v)(1−β2);
    w −= α·m / (sqrt(v) + ε) with α = η·sqrt(1−β2^t)/(1−β1^t)."""

    name = "adam"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        return {"m": ops.zeros_like(param), "v": ops.zeros_like(param)}

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        t = self.iterations + 1
        alpha = self._lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        param, state["m"], state["v"] = ops.adam_update(param, grad, state["m"], state["v"],
                                                        alpha, self.beta_1, self.beta_2,
                                                        self.epsilon)
        return param

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get_optimizer(spec: Any) -> Optimizer:
    """Resolve an optimizer instance, a name (``"adam"``) or a config dict with ``name``.

    Raises:
        ConfigError: unknown name, listing the valid ones.
    """
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        name = str(spec.pop("name", "")).lower()
        if isinstance(spec.get("learning_rate"), dict):  # a serialized schedule
            spec["learning_rate"] = deserialize(spec["learning_rate"])
        return _lookup(name)(**spec)
    return _lookup(str(spec).lower())()


def _lookup(name: str) -> type[Optimizer]:
    if name in OPTIMIZERS:
        return OPTIMIZERS[name]
    close = difflib.get_close_matches(name, list(OPTIMIZERS), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown optimizer {name!r}; valid optimizers: sgd, rmsprop, adam.{hint}")
