"""Losses with Keras's names, formulas and mean-over-batch reduction.

Each loss gives its value and ``gradient`` dL/dŷ. Where the model's last
activation is softmax (categorical losses) or sigmoid (binary cross-entropy),
the model asks ``fused_gradient`` for dL/dz instead: the stable ``(ŷ − y) / N``
form, which never divides by a tiny probability.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Backend
from nntui.errors import ConfigError, ShapeError

EPSILON = 1e-7  # Keras's backend epsilon(), used to clip probabilities


class Loss:
    """Base class. ``__call__`` returns the mean loss over the batch as a backend scalar."""

    name = "loss"
    fused_activation: str | None = None  # "softmax" / "sigmoid" when a fused gradient exists
    formula = ""

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        raise NotImplementedError

    def gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        raise NotImplementedError

    def fused_gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        raise NotImplementedError

    def check_targets(self, y_true: np.ndarray, pred_shape: tuple[int, ...]) -> None:
        """Raise a ShapeError when labels cannot match predictions of ``pred_shape``."""
        if tuple(y_true.shape) != tuple(pred_shape):
            raise ShapeError(
                f"{self.name}: labels of shape {tuple(y_true.shape)} do not match the model's "
                f"output of shape {tuple(pred_shape)}"
            )


class MeanSquaredError(Loss):
    """L = mean((y − ŷ)²) over every axis but the batch, then over the batch."""

    name = "mean_squared_error"
    formula = "L = 1/N Σ (ŷ − y)²"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        d = y_pred - y_true
        return ops.mean(d * d)

    def gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) * (2.0 / float(np.prod(y_pred.shape)))

    def check_targets(self, y_true: np.ndarray, pred_shape: tuple[int, ...]) -> None:
        if y_true.ndim == len(pred_shape) - 1 and pred_shape[-1] == 1:
            return  # (N,) targets for (N, 1) outputs are reshaped by the model
        super().check_targets(y_true, pred_shape)


class BinaryCrossentropy(Loss):
    """L = −mean(y·log(ŷ+ε) + (1−y)·log(1−ŷ+ε)), ŷ clipped to [ε, 1−ε] (Keras)."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"
    formula = "L = −1/N Σ [y·log ŷ + (1−y)·log(1−ŷ)]"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
        bce = y_true * ops.log(p + EPSILON) + (1.0 - y_true) * ops.log(1.0 - p + EPSILON)
        return -ops.mean(bce)

    def gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
        inside = (y_pred >= EPSILON) * (y_pred <= 1.0 - EPSILON)
        g = -(y_true / (p + EPSILON) - (1.0 - y_true) / (1.0 - p + EPSILON))
        return g * inside * (1.0 / float(np.prod(y_pred.shape)))

    def fused_gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) * (1.0 / float(np.prod(y_pred.shape)))

    def check_targets(self, y_true: np.ndarray, pred_shape: tuple[int, ...]) -> None:
        if y_true.size and (np.min(y_true) < 0 or np.max(y_true) > 1):
            raise ShapeError(
                "binary_crossentropy needs labels in [0, 1]; received values from "
                f"{np.min(y_true)} to {np.max(y_true)}. For several classes use "
                "sparse_categorical_crossentropy with a softmax output."
            )
        if y_true.ndim == len(pred_shape) - 1 and pred_shape[-1] == 1:
            return
        super().check_targets(y_true, pred_shape)


class CategoricalCrossentropy(Loss):
    """L = −mean_batch Σ_k y_k·log(ŷ_k), ŷ renormalised and clipped to [ε, 1−ε] (Keras)."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"
    formula = "L = −1/N Σ_n Σ_k y_nk·log ŷ_nk"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        p = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
        p = ops.clip(p, EPSILON, 1.0 - EPSILON)
        return -ops.mean(ops.sum(y_true * ops.log(p), axis=-1))

    def gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        n = float(np.prod(y_pred.shape[:-1]))
        s = ops.sum(y_pred, axis=-1, keepdims=True)
        p = ops.clip(y_pred / s, EPSILON, 1.0 - EPSILON)
        # d/dŷ of −Σ y log(ŷ/s): −y/ŷ + Σy/s  (ignoring the clip's flat ends)
        return (-y_true / (p * s) + ops.sum(y_true, axis=-1, keepdims=True) / s) * (1.0 / n)

    def fused_gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        n = float(np.prod(y_pred.shape[:-1]))
        return (y_pred - y_true) * (1.0 / n)

    def check_targets(self, y_true: np.ndarray, pred_shape: tuple[int, ...]) -> None:
        if y_true.ndim == len(pred_shape) - 1:
            raise ShapeError(
                f"categorical_crossentropy needs one-hot labels of shape {tuple(pred_shape)}; "
                f"received integer labels of shape {tuple(y_true.shape)}. Use "
                "loss='sparse_categorical_crossentropy' for class indices."
            )
        super().check_targets(y_true, pred_shape)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer class labels (N,) or (N, 1)."""

    name = "sparse_categorical_crossentropy"

    def check_targets(self, y_true: np.ndarray, pred_shape: tuple[int, ...]) -> None:
        k = pred_shape[-1]
        want = tuple(pred_shape[:-1])
        shape = tuple(y_true.shape)
        if shape != want and shape != want + (1,):
            raise ShapeError(
                f"sparse_categorical_crossentropy needs integer labels of shape {want}; "
                f"received {shape}. For one-hot labels use loss='categorical_crossentropy'."
            )
        if y_true.size and (np.min(y_true) < 0 or np.max(y_true) >= k or
                            not np.all(np.equal(np.mod(y_true, 1), 0))):
            raise ShapeError(
                f"sparse_categorical_crossentropy labels must be integers in [0, {k - 1}] "
                f"for a {k}-unit output; received values from {np.min(y_true)} to {np.max(y_true)}"
            )


LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get_loss(spec: Any) -> Loss:
    """Resolve a Keras loss name or a Loss instance.

    Raises:
        ConfigError: unknown name, listing the valid ones.
    """
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, type) and issubclass(spec, Loss):
        return spec()
    if isinstance(spec, str) and spec.lower() in LOSSES:
        return LOSSES[spec.lower()]()
    close = difflib.get_close_matches(str(spec).lower(), list(LOSSES), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown loss {spec!r}; valid losses: {', '.join(LOSSES)}.{hint}")
