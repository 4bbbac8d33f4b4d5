"""Keras-shaped utilities: ``from nntui.utils import to_categorical, set_random_seed``."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.seeding import set_random_seed
from nntui.errors import ConfigError

__all__ = ["set_random_seed", "to_categorical"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows for integer class labels, the class axis last (Keras's function).

    A trailing axis of size 1 is dropped first, as Keras does: labels of shape (n, 1) give
    (n, num_classes). ``num_classes`` defaults to the largest label + 1.

    Raises:
        ConfigError: a label is negative or not below ``num_classes``.
    """
    labels = np.array(x, dtype="int64")
    shape = labels.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    n = int(num_classes) if num_classes else int(labels.max(initial=-1)) + 1
    bad = labels[(labels < 0) | (labels >= n)]
    if bad.size:
        raise ConfigError(f"to_categorical: label {int(bad[0])} is outside 0..{n - 1} "
                          f"(num_classes={num_classes!r})")
    categorical = np.zeros((labels.size, n))
    categorical[np.arange(labels.size), labels] = 1
    return categorical.reshape(shape + (n,))
