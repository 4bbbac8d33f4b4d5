"""Dropout: inverted dropout, active only while training."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer
from nntui.engine.seeding import make_rng
from nntui.errors import ConfigError


class Dropout(Layer):
    """While training, zero each input with probability ``rate`` and scale the rest by 1/(1-rate).

    Args:
        rate: fraction of inputs to drop, in [0, 1).
        seed: seed of the layer's own generator (reproducible masks).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ConfigError(f"rate must be in [0, 1). Received: rate={rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self._rng = make_rng(seed)
        self._mask: Array | None = None

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        if self.seed is None:
            self._rng = np.random.default_rng(rng.integers(2**31))
        super().build(input_shape, rng)

    def generators(self) -> dict[str, np.random.Generator]:
        return {"rng": self._rng}

    def forward(self, x: Array, training: bool = False) -> Array:
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = 1.0 - self.rate
        u = self.ops.uniform(tuple(x.shape), self._rng)
        self._mask = self.ops.astype(u < keep, x.dtype) * (1.0 / keep)
        self._record("mask", self._mask)
        return x * self._mask

    def backward(self, grad_out: Array) -> Array:
        return grad_out if self._mask is None else grad_out * self._mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
