"""Metrics by Keras name; ``accuracy`` resolves to the variant that fits the loss."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nntui.errors import ConfigError

Metric = Callable[[np.ndarray, np.ndarray], float]


def binary_accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p.reshape(y.shape) > 0.5) == (y > 0.5)))


def categorical_accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.argmax(p, -1) == np.argmax(y, -1)))


def sparse_categorical_accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.argmax(p, -1) == y.reshape(p.shape[:-1])))


def mean_absolute_error(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(p - y.reshape(p.shape))))


def mean_squared_error(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y.reshape(p.shape)) ** 2))


_ACCURACY_FOR_LOSS = {
    "binary_crossentropy": ("accuracy", binary_accuracy),
    "categorical_crossentropy": ("accuracy", categorical_accuracy),
    "sparse_categorical_crossentropy": ("accuracy", sparse_categorical_accuracy),
}
_NAMED: dict[str, Metric] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
}


DESCRIPTIONS = {
    "accuracy": "share of samples whose predicted class is the true one",
    "binary_accuracy": "share of samples on the right side of 0.5",
    "categorical_accuracy": "share of samples whose predicted class is the true one",
    "sparse_categorical_accuracy": "share of samples whose predicted class is the true one",
    "mae": "mean absolute error |prediction − target|",
    "mean_absolute_error": "mean absolute error |prediction − target|",
    "mse": "mean squared error (prediction − target)²",
    "mean_squared_error": "mean squared error (prediction − target)²",
}
"""What each metric measures, in one line (``nntui train`` prints them at the end)."""


def resolve_metrics(names: list[str] | None, loss_name: str) -> list[tuple[str, Metric]]:
    """Turn ``metrics=[...]`` into (display name, function) pairs."""
    out: list[tuple[str, Metric]] = []
    for name in names or []:
        key = str(name).lower()
        if key in ("accuracy", "acc"):
            if loss_name not in _ACCURACY_FOR_LOSS:
                raise ConfigError(
                    f"metric 'accuracy' needs a classification loss; the loss is {loss_name!r}. "
                    "Use metrics=['mae'] for regression."
                )
            out.append(_ACCURACY_FOR_LOSS[loss_name])
        elif key in _NAMED:
            out.append((key, _NAMED[key]))
        else:
            raise ConfigError(
                f"unknown metric {name!r}; valid metrics: accuracy, {', '.join(_NAMED)}"
            )
    return out
