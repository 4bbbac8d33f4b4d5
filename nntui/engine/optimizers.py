"""SGD (momentum), RMSprop and Adam with Keras 3's formulas and defaults.

The base walks (parameter, gradient) pairs, clips, and calls ``update`` for one
array at a time; a subclass writes only ``init_state`` and ``update`` (MLX's
optimizer template). Numbers match Keras: Adam's ε = 1e-7 outside the square
root with the bias correction folded into the step size, RMSprop's ρ = 0.9 with ε
inside the square root.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from nntui.engine.backend.base import Array, Backend
from nntui.errors import ConfigError


class Optimizer:
    """Base optimizer.

    Args:
        learning_rate: step size (can be changed while training).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to [-v, v].
        global_clipnorm: scale all gradients together so their global norm is at most this.
    """

    name = "optimizer"

    def __init__(self, learning_rate: float = 0.001, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None) -> None:
        self.learning_rate = learning_rate
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ConfigError("set only one of clipnorm, clipvalue and global_clipnorm")
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.iterations = 0
        self.state: dict[str, dict[str, Array]] = {}
        self.last_global_norm: float = 0.0

    @property
    def learning_rate(self) -> float:
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ConfigError(f"learning_rate must be a positive number. Received: {value!r}")
        self._lr = float(value)

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        return {}

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        raise NotImplementedError

    def apply(self, ops: Backend, items: list[tuple[str, Array, Array]]) -> list[Array]:
        """Update every (key, param, grad); returns the new params in order."""
        grads = self._clip(ops, [g for _, _, g in items])
        out = []
        for (key, param, _), grad in zip(items, grads, strict=True):
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = self.init_state(ops, param)
            out.append(self.update(ops, param, grad, state))
        self.iterations += 1
        return out

    def _clip(self, ops: Backend, grads: list[Array]) -> list[Array]:
        sq = [ops.sum(g * g) for g in grads]
        total = math.sqrt(sum(ops.item(s) for s in sq)) if grads else 0.0
        self.last_global_norm = total
        if self.clipnorm:
            norms = [math.sqrt(ops.item(s)) for s in sq]
            return [g * (self.clipnorm / max(n, self.clipnorm)) for g, n in zip(grads, norms,
                                                                                 strict=True)]
        if self.global_clipnorm and total > self.global_clipnorm:
            scale = self.global_clipnorm / total
            return [g * scale for g in grads]
        if self.clipvalue:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"name": self.name, "learning_rate": self.learning_rate}
        for k in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, k) is not None:
                cfg[k] = getattr(self, k)
        return cfg


class SGD(Optimizer):
    """m = μ·m − η·g;  w = w + m  (Nesterov: w = w + μ·m − η·g). Plain SGD when μ = 0.

    Example:
        >>> SGD(learning_rate=0.01, momentum=0.9)
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ConfigError(f"momentum must be in [0, 1]. Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        return {"m": ops.zeros_like(param)} if self.momentum else {}

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        lr = self.learning_rate
        if not self.momentum:
            return ops.update(param, grad * lr)
        m = state["m"] * self.momentum - grad * lr
        state["m"] = m
        step = m * self.momentum - grad * lr if self.nesterov else m
        return ops.update(param, -step)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """v = ρ·v + (1−ρ)·g²;  w = w − η·g / sqrt(v + ε)."""

    name = "rmsprop"

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        state = {"v": ops.zeros_like(param)}
        if self.momentum:
            state["m"] = ops.zeros_like(param)
        return state

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        v = state["v"] * self.rho + (grad * grad) * (1.0 - self.rho)
        state["v"] = v
        inc = (grad * self.learning_rate) / ops.sqrt(v + self.epsilon)
        if self.momentum:
            inc = state["m"] * self.momentum + inc
            state["m"] = inc
        return ops.update(param, inc)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon}


class Adam(Optimizer):
    """m += (g − m)(1−β1);  v += (g² − v)(1−β2);
    w −= α·m / (sqrt(v) + ε) with α = η·sqrt(1−β2^t)/(1−β1^t)."""

    name = "adam"

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def init_state(self, ops: Backend, param: Array) -> dict[str, Array]:
        return {"m": ops.zeros_like(param), "v": ops.zeros_like(param)}

    def update(self, ops: Backend, param: Array, grad: Array, state: dict[str, Array]) -> Array:
        t = self.iterations + 1
        alpha = self.learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        m = state["m"] + (grad - state["m"]) * (1.0 - self.beta_1)
        v = state["v"] + (grad * grad - state["v"]) * (1.0 - self.beta_2)
        state["m"], state["v"] = m, v
        return ops.update(param, (m * alpha) / (ops.sqrt(v) + self.epsilon))

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
        return _lookup(name)(**spec)
    return _lookup(str(spec).lower())()


def _lookup(name: str) -> type[Optimizer]:
    if name in OPTIMIZERS:
        return OPTIMIZERS[name]
    close = difflib.get_close_matches(name, list(OPTIMIZERS), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown optimizer {name!r}; valid optimizers: sgd, rmsprop, adam.{hint}")
