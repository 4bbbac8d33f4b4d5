"""Embedding: integer token ids → learned vectors (a table lookup)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer
from nntui.errors import ConfigError, ShapeError


class Embedding(Layer):
    """out[n, t] = E[ids[n, t]]: row ``ids[n, t]`` of the table E.

    The lookup is the same as ``one_hot(ids) @ E`` without building the one-hot
    matrix, so its backward adds each output gradient into the row it came
    from: dL/dE[v] = Σ_{(n, t): ids[n, t] = v} dL/dout[n, t].

    Args:
        input_dim: vocabulary size V; ids must lie in [0, V).
        output_dim: embedding size D.
        embeddings_initializer: Keras name; default ``random_uniform`` (U(−0.05, 0.05)).
        embeddings_regularizer: ``"l1"``, ``"l2"`` or a regularizer object.

    Shapes: embeddings (V, D); input (N, T) integer ids (float ids from the model's
    input conversion are accepted when they hold whole numbers), output (N, T, D).
    Ids are not differentiable: backward returns zeros of the input's shape.

    Raises:
        ShapeError: an id outside [0, V) or a non-integral id (at forward).

    Example:
        >>> Embedding(input_dim=27, output_dim=32)
    """

    formula = "out[n,t] = E[ids[n,t]]"

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: Any = "random_uniform",
                 embeddings_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{arg} must be a positive integer. Received: {arg}={value!r}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer
        self._ids: Array | None = None
        self._x_shape: Shape = ()

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer, rng, self.embeddings_regularizer)
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape) + (self.output_dim,)

    def forward(self, x: Array, training: bool = False) -> Array:
        ids = self._checked_ids(x)
        self._ids, self._x_shape = ids, tuple(x.shape)
        return self.ops.take(self.params["embeddings"], ids, axis=0)  # (N, T) -> (N, T, D)

    def backward(self, grad_out: Array) -> Array:
        grad_e = self.ops.scatter_add_rows(self.input_dim, self._ids, grad_out)  # (V, D)
        self._accumulate("embeddings", grad_e)
        return self.ops.zeros(self._x_shape)

    def _checked_ids(self, x: Array) -> Array:
        """Ids as a backend integer array; raises a ShapeError naming the layer when invalid."""
        raw = self.ops.to_numpy(x)
        ids = raw if raw.dtype.kind in "iu" else raw.astype(np.int64)
        if raw.dtype.kind == "f" and not np.array_equal(ids, raw):
            raise ShapeError(
                f"Embedding {self.name!r} expects integer token ids; received non-integral "
                f"values such as {raw[ids != raw].flat[0]!r}"
            )
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= self.input_dim):
            raise ShapeError(
                f"Embedding {self.name!r} expects token ids in [0, {self.input_dim - 1}] "
                f"(input_dim={self.input_dim}); received ids from {int(ids.min())} to "
                f"{int(ids.max())}"
            )
        return self.ops.asarray(ids)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": self.embeddings_initializer}
