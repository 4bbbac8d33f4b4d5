"""L1 and L2 weight penalties, Keras-style: added to the loss, their gradient to the weight's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nntui.engine.backend.base import Array, Backend
from nntui.errors import ConfigError


@dataclass(frozen=True)
class Regularizer:
    """penalty(w) = l1 * sum(|w|) + l2 * sum(w**2); gradient l1 * sign(w) + 2 * l2 * w.

    Args:
        l1: L1 factor (Keras's ``regularizers.L1(l1=0.01)``).
        l2: L2 factor (Keras's ``regularizers.L2(l2=0.01)``), i.e. weight decay.
    """

    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.l1 < 0 or self.l2 < 0:
            raise ConfigError("regularization factors must be >= 0. "
                              f"Received: l1={self.l1}, l2={self.l2}")

    def penalty(self, ops: Backend, w: Array) -> float:
        total = 0.0
        if self.l1:
            total += self.l1 * ops.item(ops.sum(ops.abs(w)))
        if self.l2:
            total += self.l2 * ops.item(ops.sum(w * w))
        return total

    def gradient(self, ops: Backend, w: Array) -> Array:
        g = ops.zeros_like(w)
        if self.l1:
            g = g + self.l1 * ops.sign(w)
        if self.l2:
            g = g + (2.0 * self.l2) * w
        return g


def L1(l1: float = 0.01) -> Regularizer:  # noqa: N802 - Keras's name
    return Regularizer(l1=l1)


def L2(l2: float = 0.01) -> Regularizer:  # noqa: N802 - Keras's name
    return Regularizer(l2=l2)


def L1L2(l1: float = 0.0, l2: float = 0.0) -> Regularizer:  # noqa: N802 - Keras's name
    return Regularizer(l1=l1, l2=l2)


def get_regularizer(spec: Any) -> Regularizer | None:
    """Resolve ``None``, a Regularizer, ``"l1"``/``"l2"`` (factor 0.01) or a dict."""
    if spec is None or isinstance(spec, Regularizer):
        return spec
    if isinstance(spec, str) and spec.lower() in ("l1", "l2", "l1_l2"):
        return {"l1": L1(), "l2": L2(), "l1_l2": L1L2(0.01, 0.01)}[spec.lower()]
    if isinstance(spec, dict):
        return Regularizer(**spec)
    raise ConfigError(
        f"unknown regularizer {spec!r}; use 'l1', 'l2' or nntui.regularizers.L2(0.01)")
