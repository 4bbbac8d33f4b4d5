"""Dense (fully connected) layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.activations import ActivationFn, check_activation_name, get_activation
from nntui.engine.layers.base import Layer
from nntui.errors import ConfigError, ShapeError


class Dense(Layer):
    """a = g(z), z = x @ W + b, on the last axis.

    Args:
        units: output size (positive integer).
        activation: activation name or None (linear).
        use_bias: add the bias b.
        kernel_initializer / bias_initializer: Keras names; defaults glorot_uniform / zeros.
        kernel_regularizer / bias_regularizer: ``"l1"``, ``"l2"`` or ``regularizers.L2(0.01)``.

    Shapes: kernel (in, units), bias (units,); input (N, in) or (N, T, in).

    Example:
        >>> Dense(64, activation="relu", input_shape=(2,))
    """

    formula = "z = x·W + b"
    skip_input_grad = False  # the model sets it when nothing needs dL/dx (the first layer)

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ConfigError(f"units must be a positive integer. Received: units={units!r}")
        check_activation_name(activation)
        self.units = int(units)
        self.activation_name = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activation: ActivationFn | None = None

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        if len(input_shape) == 0 or len(input_shape) > 2:
            raise ShapeError(
                f"Dense layer {self.name!r} expects inputs of shape (batch, features) or "
                "(batch, time, features) but received "
                f"(batch, {', '.join(map(str, input_shape))}). "
                "Add a Flatten() layer before it to turn images into vectors."
            )
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer, rng,
                        self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, rng,
                            self.bias_regularizer)
        self.activation = get_activation(self.activation_name, self.ops)
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x: Array, training: bool = False) -> Array:
        self._x = x
        z = _matmul_last(self.ops, x, self.params["kernel"])  # (N, in) @ (in, U) -> (N, U)
        if self.use_bias:
            z += self.params["bias"]  # z is fresh: add in place, no second (N, U) array
        self._record("z", z)
        a = self.activation.forward(z)  # type: ignore[union-attr]
        return a if self.unit_mask is None else a * self.unit_mask  # (N, U) * (U,): off units 0

    def backward(self, grad_out: Array) -> Array:
        if self.unit_mask is not None:  # a switched-off unit passes no gradient back
            grad_out = grad_out * self.unit_mask
        return self.backward_from_z(self.activation.backward(grad_out))  # type: ignore[union-attr]

    def backward_from_z(self, grad_z: Array) -> Array:
        """Backward from dL/dz (used directly by the fused softmax/sigmoid cross-entropy)."""
        self._record("grad_z", grad_z)
        x, ops = self._x, self.ops
        if self.trainable:  # a frozen layer's weight gradients would be thrown away
            if x.ndim == 2:
                self._accumulate("kernel", x.T @ grad_z)  # (in, N) @ (N, U) -> (in, U)
            else:  # (N, T, in): fold time into the batch
                x2 = ops.reshape(x, (-1, x.shape[-1]))
                self._accumulate("kernel", x2.T @ ops.reshape(grad_z, (-1, self.units)))
            if self.use_bias:
                self._accumulate("bias",
                                 ops.sum(ops.reshape(grad_z, (-1, self.units)), axis=0))
        if self.skip_input_grad:
            return None  # a third of the layer's backward FLOPs, unused by the first layer
        return _matmul_last(ops, grad_z, self.params["kernel"].T)  # (N, U) @ (U, in) -> (N, in)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "activation": self.activation_name,
                "use_bias": self.use_bias}


def _matmul_last(ops: Any, x: Array, w: Array) -> Array:
    """``x @ w`` on the last axis; a (N, T, in) input as one (N·T, in) GEMM (a stacked
    matmul is a GEMM per sample, and with a transposed ``w`` NumPy may skip BLAS)."""
    if x.ndim == 2:
        return x @ w
    flat = ops.reshape(x, (-1, x.shape[-1])) @ w                    # (N·T, in) @ (in, U)
    return ops.reshape(flat, tuple(x.shape[:-1]) + (w.shape[-1],))
