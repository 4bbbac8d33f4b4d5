"""The layer contract: explicit ``forward`` and ``backward``, parameters in dicts.

Every layer:
  * builds its parameters from the per-sample input shape (``build``),
  * ``forward(x, training)`` returns the output and caches what backward needs,
  * ``backward(grad_out)`` returns ``dL/dx`` and *adds* into ``self.grads[name]``,
  * records internals into ``self._trace`` only when a traced step asked for it,
    so tracing costs one ``is None`` check when it is off.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from nntui.engine.backend import get_backend
from nntui.engine.backend.base import Array, Backend, Shape
from nntui.engine.initializers import get_initializer
from nntui.engine.regularizers import Regularizer, get_regularizer
from nntui.engine.seeding import make_rng
from nntui.errors import ConfigError, ShapeError

_name_counts: Counter[str] = Counter()  # Keras's naming: dense, dense_1, dense_2 ...


class Layer:
    """Base class of every layer.

    Args:
        name: unique name; defaults to the snake-cased class name and a number.
        trainable: False freezes the parameters (transfer learning).
        input_shape: per-sample input shape, as in Keras course snippets.
        input_dim: shorthand for ``input_shape=(input_dim,)``.
    """

    def __init__(self, *, name: str | None = None, trainable: bool = True,
                 input_shape: Shape | None = None, input_dim: int | None = None,
                 **kwargs: Any) -> None:
        if kwargs:
            raise ConfigError(
                f"{type(self).__name__} got unexpected argument(s): {', '.join(sorted(kwargs))}"
            )
        cls = type(self).__name__
        snake = snake_case(cls)
        self.auto_named = name is None
        """True when nntui chose the name: a model renames it to be unique within itself
        (``dense``, ``dense_1``, ... per model, however many models came before)."""
        if name is None:
            k = _name_counts[snake]
            _name_counts[snake] += 1
            name = snake if k == 0 else f"{snake}_{k}"
        self.name = name
        self.trainable = trainable
        if input_dim is not None:
            input_shape = (int(input_dim),)
        self.input_shape_hint: Shape | None = tuple(input_shape) if input_shape else None
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array | None] = {}
        self.regularizers: dict[str, Regularizer] = {}
        self.ops: Backend = get_backend("numpy")
        self.built = False
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        self._trace: dict[str, Any] | None = None
        self.unit_mask: Array | None = None
        """0/1 per unit of the output's last axis: 0 switches that unit off (its output
        and its gradient are 0; see ``nntui.engine.surgery``). None: all on. Dense and
        Conv2D apply it."""

    # building ------------------------------------------------------------------
    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        """Create parameters for a per-sample ``input_shape``; subclasses call super last."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def generators(self) -> dict[str, np.random.Generator]:
        """The random generators the layer draws from while training (dropout masks),
        by name; a checkpoint saves their states so a resumed run draws the same masks."""
        return {}

    def add_weight(self, name: str, shape: Shape, initializer: Any, rng: np.random.Generator,
                   regularizer: Any = None) -> None:
        value = get_initializer(initializer)(tuple(shape), rng)
        self.params[name] = self.ops.asarray(value, self.ops.dtype)
        self.grads[name] = None
        reg = get_regularizer(regularizer)
        if reg is not None:
            self.regularizers[name] = reg

    # running -------------------------------------------------------------------
    def forward(self, x: Array, training: bool = False) -> Array:
        raise NotImplementedError

    def backward(self, grad_out: Array) -> Array:
        raise NotImplementedError

    def __call__(self, x: Any, training: bool = False) -> Any:
        """Keras-style call on a NumPy batch (builds on first use)."""
        x = self.ops.asarray(x)
        if not self.built:
            self.build(tuple(x.shape[1:]), make_rng(None))
        return self.ops.to_numpy(self.forward(x, training=training))

    def _accumulate(self, name: str, grad: Array) -> None:
        if not self.trainable:
            return
        current = self.grads.get(name)
        self.grads[name] = grad if current is None else current + grad

    def _record(self, key: str, value: Array) -> None:
        if self._trace is not None:
            self._trace[key] = value

    def zero_grad(self) -> None:
        for name in self.grads:
            self.grads[name] = None

    # weights -------------------------------------------------------------------
    @property
    def weight_names(self) -> list[str]:
        return list(self.params)

    def count_params(self) -> int:
        return int(sum(int(np.prod(p.shape)) for p in self.params.values()))

    def get_weights(self) -> list[np.ndarray]:
        return [self.ops.to_numpy(p).copy() for p in self.params.values()]

    def set_weights(self, weights: list[Any]) -> None:
        names = list(self.params)
        if len(weights) != len(names):
            raise ShapeError(
                f"layer {self.name!r} expects {len(names)} weight arrays "
                f"({', '.join(names) or 'none'}), received {len(weights)}"
            )
        for name, w in zip(names, weights, strict=True):
            w = np.array(w)  # a copy: training updates parameters in place
            if w.dtype.kind not in "biuf":  # object arrays of None, strings, complex
                raise ShapeError(f"layer {self.name!r} weight {name!r} must hold real numbers. "
                                 f"Received: an array of dtype {w.dtype}")
            want = tuple(self.params[name].shape)
            if tuple(w.shape) != want:
                raise ShapeError(
                    f"layer {self.name!r} weight {name!r} has shape {want}, "
                    f"received {tuple(w.shape)}"
                )
            self.params[name] = self.ops.asarray(w, self.ops.dtype)

    def regularization_loss(self) -> float:
        return sum(r.penalty(self.ops, self.params[n]) for n, r in self.regularizers.items())

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, so a layer can be written to a config and rebuilt."""
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def snake_case(name: str) -> str:
    """Keras's rule: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d, SimpleRNN -> simple_rnn."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def check_rank(layer: Layer, input_shape: Shape, rank: int, hint: str) -> None:
    """Raise a ShapeError naming the layer when a per-sample shape has the wrong rank."""
    if len(input_shape) != rank:
        raise ShapeError(
            f"{type(layer).__name__} {layer.name!r} expects inputs of shape "
            f"(batch, {', '.join(['…'] * rank)}) but received (batch, "
            f"{', '.join(map(str, input_shape))}). {hint}"
        )
