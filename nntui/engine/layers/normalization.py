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
        self._bshape: Shape = ()

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
        self._bshape = tuple(full[a] if a in norm else 1 for a in range(rank))
        pshape = tuple(full[a] for a in norm)
        if self.scale:
            self.add_weight("gamma", pshape, self.gamma_initializer, rng)
        if self.center:
            self.add_weight("beta", pshape, self.beta_initializer, rng)
        super().build(input_shape, rng)

    def forward(self, x: Array, training: bool = False) -> Array:
        ops, axes = self.ops, self._axes
        mu = ops.mean(x, axis=axes, keepdims=True)                 # (N, T, 1)
        xc = x - mu
        rstd = 1.0 / ops.sqrt(ops.mean(xc * xc, axis=axes, keepdims=True) + self.epsilon)
        x_hat = xc * rstd                                          # (N, T, D)
        self._x_hat, self._rstd = x_hat, rstd
        self._record("x_hat", x_hat)
        y = x_hat
        if self.scale:
            y = y * self._param("gamma")
        if self.center:
            y = y + self._param("beta")
        return y

    def backward(self, grad_out: Array) -> Array:
        ops, axes, x_hat = self.ops, self._axes, self._x_hat
        others = tuple(a for a in range(grad_out.ndim) if a not in axes)  # batch (and time)
        pshape = tuple(x_hat.shape[a] for a in axes)
        if self.scale:
            self._accumulate("gamma", ops.reshape(ops.sum(grad_out * x_hat, axis=others), pshape))
        if self.center:
            self._accumulate("beta", ops.reshape(ops.sum(grad_out, axis=others), pshape))
        g = grad_out * self._param("gamma") if self.scale else grad_out  # dL/dx̂
        mean_g = ops.mean(g, axis=axes, keepdims=True)
        mean_gx = ops.mean(g * x_hat, axis=axes, keepdims=True)
        return self._rstd * (g - mean_g - x_hat * mean_gx)

    def _param(self, name: str) -> Array:
        """γ or β shaped to broadcast against the full input."""
        return self.ops.reshape(self.params[name], self._bshape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale}
