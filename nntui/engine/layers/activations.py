"""Activation functions (for ``activation=``) and the activation layers.

An activation function object caches what its backward needs:
``a = f.forward(z)`` then ``dz = f.backward(da)``. One object per layer, so
nothing is shared between layers.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Backend, Shape
from nntui.engine.layers.base import Layer
from nntui.errors import ConfigError


class ActivationFn:
    """Base of elementwise activations: a = f(z), dL/dz = dL/da * f'(z)."""

    name = "linear"
    formula = "a = z"

    def __init__(self, ops: Backend) -> None:
        self.ops = ops
        self._z: Any = None  # the last forward's input and output, kept for backward
        self._a: Any = None

    def forward(self, z: Array) -> Array:
        return z

    def backward(self, grad_a: Array) -> Array:
        return grad_a


class Linear(ActivationFn):
    pass


class BinaryStep(ActivationFn):
    """a = 1 if z >= 0 else 0. Its derivative is 0 almost everywhere, so gradient
    descent cannot train through it; the perceptron rule does (see ``perceptron.py``)."""

    name = "binary_step"
    formula = "a = 1 if z ≥ 0 else 0"

    def forward(self, z: Array) -> Array:
        return self.ops.astype(z >= 0, z.dtype)

    def backward(self, grad_a: Array) -> Array:
        return grad_a * 0.0


class Sigmoid(ActivationFn):
    name = "sigmoid"
    formula = "a = 1 / (1 + e^(−z))"

    def forward(self, z: Array) -> Array:
        self._a = self.ops.sigmoid(z)
        return self._a

    def backward(self, grad_a: Array) -> Array:
        a = self._a
        return grad_a * a * (1.0 - a)


class Tanh(ActivationFn):
    name = "tanh"
    formula = "a = tanh(z)"

    def forward(self, z: Array) -> Array:
        self._a = self.ops.tanh(z)
        return self._a

    def backward(self, grad_a: Array) -> Array:
        a = self._a
        return grad_a * (1.0 - a * a)


class Exponential(ActivationFn):
    """a = e^z: the log link of a Poisson regression's output (Keras's ``exponential``)."""

    name = "exponential"
    formula = "a = e^z"

    def forward(self, z: Array) -> Array:
        self._a = self.ops.exp(z)
        return self._a

    def backward(self, grad_a: Array) -> Array:
        return grad_a * self._a  # dL/dz = dL/da · e^z


class ReLU(ActivationFn):
    name = "relu"
    formula = "a = max(0, z)"

    def forward(self, z: Array) -> Array:
        self._z = z
        return self.ops.maximum(z, 0.0)

    def backward(self, grad_a: Array) -> Array:
        return self.ops.relu_backward(grad_a, self._z)  # dL/dz = dL/da · [z > 0]


class LeakyReLUFn(ActivationFn):
    """a = z if z > 0 else slope * z (Keras's ``leaky_relu`` default slope is 0.2)."""

    name = "leaky_relu"

    def __init__(self, ops: Backend, negative_slope: float = 0.2) -> None:
        super().__init__(ops)
        self.negative_slope = negative_slope
        self.formula = f"a = z if z > 0 else {negative_slope}·z"

    def forward(self, z: Array) -> Array:
        self._z = z
        return self.ops.where(z > 0, z, z * self.negative_slope)

    def backward(self, grad_a: Array) -> Array:
        return self.ops.where(self._z > 0, grad_a, grad_a * self.negative_slope)


class ELUFn(ActivationFn):
    """a = z if z > 0 else alpha * (e^z - 1)."""

    name = "elu"

    def __init__(self, ops: Backend, alpha: float = 1.0) -> None:
        super().__init__(ops)
        self.alpha = alpha
        self.formula = f"a = z if z > 0 else {alpha}·(e^z − 1)"

    def forward(self, z: Array) -> Array:
        self._z = z
        em1 = self.ops.exp(self.ops.minimum(z, 0.0)) - 1.0  # min() keeps exp from overflowing
        self._a = self.ops.where(z > 0, z, self.alpha * em1)
        return self._a

    def backward(self, grad_a: Array) -> Array:
        return self.ops.where(self._z > 0, grad_a, grad_a * (self._a + self.alpha))


class Softplus(ActivationFn):
    name = "softplus"
    formula = "a = ln(1 + e^z)"

    def forward(self, z: Array) -> Array:
        self._z = z
        return self.ops.softplus(z)

    def backward(self, grad_a: Array) -> Array:
        return grad_a * self.ops.sigmoid(self._z)


class SoftmaxFn(ActivationFn):
    """a_i = e^(z_i) / Σ_j e^(z_j) over the last axis.

    Backward is the Jacobian-vector product dz = a ⊙ (da − Σ(da ⊙ a)); with
    cross-entropy the model skips it and uses the fused (a − y) instead.
    """

    name = "softmax"
    formula = "a_i = e^(z_i) / Σ_j e^(z_j)"

    def __init__(self, ops: Backend, axis: int = -1) -> None:
        super().__init__(ops)
        self.axis = axis

    def forward(self, z: Array) -> Array:
        self._a = self.ops.softmax(z, axis=self.axis)
        return self._a

    def backward(self, grad_a: Array) -> Array:
        a = self._a
        return a * (grad_a - self.ops.sum(grad_a * a, axis=self.axis, keepdims=True))


ACTIVATIONS: dict[str, type[ActivationFn]] = {
    "linear": Linear,
    "binary_step": BinaryStep,
    "step": BinaryStep,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLUFn,
    "elu": ELUFn,
    "softplus": Softplus,
    "softmax": SoftmaxFn,
    "exponential": Exponential,
}


def get_activation(spec: Any, ops: Backend) -> ActivationFn:
    """Resolve ``None`` / a Keras activation name to a fresh activation object.

    Raises:
        ConfigError: unknown name; the message lists the valid ones.
    """
    if spec is None:
        return Linear(ops)
    if isinstance(spec, ActivationFn):
        return type(spec)(ops)
    if isinstance(spec, str) and spec.lower() in ACTIVATIONS:
        return ACTIVATIONS[spec.lower()](ops)
    close = difflib.get_close_matches(str(spec).lower(), list(ACTIVATIONS), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"unknown activation {spec!r}; valid activations: {', '.join(ACTIVATIONS)}.{hint}"
    )


def check_activation_name(spec: Any) -> None:
    """Validate an activation name without a backend (at layer construction)."""
    if spec is None or isinstance(spec, ActivationFn):
        return
    if not (isinstance(spec, str) and spec.lower() in ACTIVATIONS):
        get_activation(spec, None)  # type: ignore[arg-type]  # raises the ConfigError


class Activation(Layer):
    """Applies an activation function as its own layer: ``Activation("relu")``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_activation_name(activation)
        self.activation_name = activation
        self.fn: ActivationFn | None = None

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        self.fn = self._make_fn()
        super().build(input_shape, rng)

    def _make_fn(self) -> ActivationFn:
        return get_activation(self.activation_name, self.ops)

    def forward(self, x: Array, training: bool = False) -> Array:
        return self.fn.forward(x)  # type: ignore[union-attr]

    def backward(self, grad_out: Array) -> Array:
        return self.fn.backward(grad_out)  # type: ignore[union-attr]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self.activation_name}


class ReLULayer(Activation):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("relu", **kwargs)

    def get_config(self) -> dict[str, Any]:
        return Layer.get_config(self)


class LeakyReLU(Activation):
    """Keras 3's ``LeakyReLU(negative_slope=0.3)`` layer."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # Keras 2 spelling in older course notes
            negative_slope = kwargs.pop("alpha")
        super().__init__("leaky_relu", **kwargs)
        self.negative_slope = float(negative_slope)

    def _make_fn(self) -> ActivationFn:
        return LeakyReLUFn(self.ops, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**Layer.get_config(self), "negative_slope": self.negative_slope}


class ELU(Activation):
    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__("elu", **kwargs)
        self.alpha = float(alpha)

    def _make_fn(self) -> ActivationFn:
        return ELUFn(self.ops, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**Layer.get_config(self), "alpha": self.alpha}


class Softmax(Activation):
    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__("softmax", **kwargs)
        self.axis = axis

    def _make_fn(self) -> ActivationFn:
        return SoftmaxFn(self.ops, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**Layer.get_config(self), "axis": self.axis}


class PReLU(Layer):
    """Parametric ReLU: a = z if z > 0 else alpha ⊙ z, with alpha learned.

    As in Keras, alpha has the input's per-sample shape (initialised to 0) unless
    ``shared_axes`` (1-based, like Keras) share it along some axes.
    """

    def __init__(self, alpha_initializer: str = "zeros", shared_axes: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = alpha_initializer
        self.shared_axes = ([shared_axes] if isinstance(shared_axes, int)
                            else list(shared_axes or []))

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        shape = list(input_shape)
        for ax in self.shared_axes:
            shape[ax - 1] = 1
        self.add_weight("alpha", tuple(shape), self.alpha_initializer, rng)
        super().build(input_shape, rng)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha_initializer": self.alpha_initializer,
                "shared_axes": list(self.shared_axes)}

    def forward(self, x: Array, training: bool = False) -> Array:
        self._x = x
        return self.ops.where(x > 0, x, self.params["alpha"] * x)

    def backward(self, grad_out: Array) -> Array:
        x = self._x
        neg = self.ops.where(x > 0, 0.0, x * grad_out)
        # reduce over the batch and every shared axis: alpha's shape
        axes = (0,) + tuple(self.shared_axes)
        self._accumulate("alpha", self.ops.sum(neg, axis=axes, keepdims=True)[0])
        return self.ops.where(x > 0, grad_out, self.params["alpha"] * grad_out)
