"""Flatten and Reshape: change shape, keep the batch axis."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer
from nntui.errors import ShapeError


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
