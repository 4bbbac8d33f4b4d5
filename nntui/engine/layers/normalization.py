"""Layer normalization: normalise each sample over its feature axis, then scale and shift."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer
from nntui.errors import ConfigError, ShapeError


class LayerNormalization(Layer):
    """y = γ ⊙ x̂ + β, x̂ = (x − μ) / √(σ² + ε), μ and σ² over ``axis`` of each sample.

    Unlike batch normalisation nothing is shared across the batch, so training and
    inference compute the same thing (the transformer's normalisation).

    Backward, with g = dL/dy and means taken over ``axis`` (m elements):
        dL/dγ = Σ_batch g ⊙ x̂,  dL/dβ = Σ_batch g,
        dL/dx = (1/√(σ² + ε)) · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)),  ĝ = g ⊙ γ.

    Args:
        axis: axis or axes to normalise over, counted as Keras does (0 is the batch);
            default −1, the features.
        epsilon: added to the variance; Keras's default 1e-3.
        center: learn the shift β.
        scale: learn the scale γ.
        beta_initializer / gamma_initializer: Keras names; defaults zeros / ones.

    Shapes: gamma and beta have the normalised axes' sizes ((D,) for axis −1);
    get_weights order is [gamma, beta] as in Keras.

    Example:
        >>> LayerNormalization()  # over the last axis of (N, D) or (N, T, D)
    """

    formula = "y = γ·(x − μ)/√(σ² + ε) + β"

    def __init__(self, axis: int | tuple[int, ...] | list[int] = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if float(epsilon) <= 0:
            raise ConfigError(f"epsilon must be positive. Received: epsilon={epsilon!r}")
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = beta_initializer
        self.gamma_initializer = gamma_initializer
        self._axes: tuple[int, ...] = (-1,)

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        rank = len(input_shape) + 1  # with the batch axis
        axes = [self.axis] if isinstance(self.axis, (int, np.integer)) else list(self.axis)
        norm = sorted({a % rank if -rank <= a < rank else -1 for a in axes})
        if not axes or norm[0] <= 0:
            raise ShapeError(
                f"LayerNormalization {self.name!r}: axis must name non-batch axes of inputs of "
                f"rank {rank}. Received: axis={self.axis!r}"
            )
        full = (1,) + tuple(input_shape)
        self._axes = tuple(norm)
        pshape = tuple(full[a] for a in norm)
        if self.scale:
            self.add_weight("gamma", pshape, self.gamma_initializer, rng)
        if self.center:
            self.add_weight("beta", pshape, self.beta_initializer, rng)
        super().build(input_shape, rng)

    def forward(self, x: Array, training: bool = False) -> Array:
        # y = γ ⊙ x̂ + β, x̂ = (x − μ)/√(σ² + ε)   (one backend kernel, the formula in
        # engine/backend/layer_norm.py)
        y, self._x_hat, self._rstd = self.ops.layer_norm(
            x, self._weight("gamma", self.scale), self._weight("beta", self.center),
            self._axes, self.epsilon)
        self._record("x_hat", self._x_hat)
        return y

    def backward(self, grad_out: Array) -> Array:
        # dL/dγ = Σ g ⊙ x̂, dL/dβ = Σ g, dL/dx = rstd·(ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))
        grad_x, g_gamma, g_beta = self.ops.layer_norm_backward(
            grad_out, self._x_hat, self._rstd, self._weight("gamma", self.scale), self._axes)
        if self.scale:
            self._accumulate("gamma", g_gamma)
        if self.center:
            self._accumulate("beta", g_beta)
        return grad_x

    def _weight(self, name: str, used: bool) -> Array | None:
        return self.params[name] if used else None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale}
