"""Flatten, Reshape and Cropping1D: change shape, keep the batch axis."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer, check_rank
from nntui.errors import ConfigError, ShapeError


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1*d2*...)."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (int(np.prod(input_shape)),)

    def forward(self, x: Array, training: bool = False) -> Array:
        self._shape = tuple(x.shape)
        return self.ops.reshape(x, (x.shape[0], -1))

    def backward(self, grad_out: Array) -> Array:
        return self.ops.reshape(grad_out, self._shape)


class Reshape(Layer):
    """(N, ...) -> (N, *target_shape); one entry may be -1."""

    def __init__(self, target_shape: Shape, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        size = int(np.prod(input_shape))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        out = tuple(size // known if d == -1 else d for d in self.target_shape)
        if int(np.prod(out)) != size:
            raise ShapeError(
                f"Reshape {self.name!r} cannot reshape {input_shape} ({size} values) "
                f"to {self.target_shape}"
            )
        return out

    def forward(self, x: Array, training: bool = False) -> Array:
        self._shape = tuple(x.shape)
        return self.ops.reshape(x, (x.shape[0],) + self.output_shape)  # type: ignore[operator]

    def backward(self, grad_out: Array) -> Array:
        return self.ops.reshape(grad_out, self._shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Cropping1D(Layer):
    """out = x[:, a : L − b]: drops ``a`` steps from the start and ``b`` from the end of
    (N, L, D) (Keras's ``Cropping1D``); e.g. the memory after the last decoder block.

    Args:
        cropping: ``(a, b)``, or one int for both.
    """

    formula = "out = x[a : L − b]"

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pair = (cropping, cropping) if isinstance(cropping, int) else tuple(cropping)
        if len(pair) != 2 or any(not isinstance(c, (int, np.integer)) or isinstance(c, bool)
                                 or c < 0 for c in pair):
            raise ConfigError("cropping must be a whole number >= 0 or a pair of them. "
                              f"Received: cropping={cropping!r}")
        self.cropping = (int(pair[0]), int(pair[1]))

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 2, "It crops the steps of (batch, steps, features).")
        if input_shape[0] <= sum(self.cropping):
            raise ShapeError(f"Cropping1D {self.name!r} removes {sum(self.cropping)} of "
                             f"{input_shape[0]} steps; at least one must remain")
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0] - sum(self.cropping), input_shape[1])

    def forward(self, x: Array, training: bool = False) -> Array:
        self._steps = x.shape[1]
        a, b = self.cropping
        return x[:, a:self._steps - b]

    def backward(self, grad_out: Array) -> Array:
        return self.ops.pad(grad_out, [(0, 0), self.cropping, (0, 0)])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping}
