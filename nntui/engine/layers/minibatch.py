"""Minibatch standard deviation: a discriminator's view of how varied a batch is.

A generator that collapses onto one mode makes batches of near-identical samples. Each
sample alone can look real, so a discriminator that judges samples one at a time cannot
tell; this layer hands it one more feature, the batch's spread, and the collapsed
batch stands out (Karras et al., 2018, "Progressive growing of GANs").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer, check_rank


class MinibatchStdDev(Layer):
    """out[n] = [x[n], s]: every sample gets the batch's mean standard deviation s appended.

        σ_f = sqrt(mean_n (x[n, f] − μ_f)² + ε)     per feature, over the batch
        s   = mean_f σ_f

    Backward: dL/dx[n, f] = g[n, f] + (Σ_n' g[n', F]) · (x[n, f] − μ_f) / (N · F · σ_f).

    Args:
        epsilon: keeps σ differentiable when a feature is constant over the batch.

    Shapes: input (N, F); output (N, F + 1).
    """

    formula = "out = [x, mean_f std_n(x)]"

    def __init__(self, epsilon: float = 1e-8, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 1, "Put a Flatten (or Dense layers) before it.")
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0] + 1,)

    def forward(self, x: Array, training: bool = False) -> Array:
        ops = self.ops
        centred = x - ops.mean(x, axis=0, keepdims=True)              # (N, F)
        sigma = ops.sqrt(ops.mean(centred * centred, axis=0, keepdims=True) + self.epsilon)
        self._centred, self._sigma = centred, sigma
        s = ops.mean(sigma)
        self._record("spread", ops.reshape(s, (1,)))
        return ops.concatenate([x, ops.ones((x.shape[0], 1)) * s], axis=1)

    def backward(self, grad_out: Array) -> Array:
        ops = self.ops
        n, f = self._centred.shape
        g_s = ops.sum(grad_out[:, f:])                                 # dL/ds, every row's
        return grad_out[:, :f] + self._centred * (g_s / (n * f)) / self._sigma

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}
