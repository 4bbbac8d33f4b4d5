"""Checks of the Python API's own arguments (Keras's style: name the argument, quote
the value), shared by the model classes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nntui.engine.backend.base import Shape
from nntui.errors import ConfigError, ShapeError

MAX_INPUT_VALUES = 1 << 24
"""The most numbers one input sample may hold (a 4096 x 4096 image): a bigger Input is a
typo, not a model that fits in memory."""


def check_seed(seed: Any) -> int | None:
    """``None`` or a non-negative whole number (NumPy's rule), else a ConfigError."""
    ok = seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)
                          and seed >= 0)
    if not ok:
        raise ConfigError(f"seed must be a non-negative integer or None. Received: seed={seed!r}")
    return None if seed is None else int(seed)


def input_shape(shape: Any) -> Shape:
    """A per-sample shape of positive whole numbers, at most MAX_INPUT_VALUES in all."""
    dims = (shape,) if isinstance(shape, int | np.integer) else shape
    ok = isinstance(dims, tuple | list) and len(dims) > 0 and all(
        isinstance(d, int | np.integer) and not isinstance(d, bool) and d > 0 for d in dims)
    if not ok:
        raise ConfigError("Input shape must be a tuple of positive whole numbers, e.g. (28, 28, 1)"
                          f". Received: shape={shape!r}")
    out = tuple(int(d) for d in dims)
    if math.prod(out) > MAX_INPUT_VALUES:
        raise ConfigError(f"Input shape {out} holds {math.prod(out):,} numbers per sample, more "
                          f"than the {MAX_INPUT_VALUES:,} nntui allows. Received: shape={shape!r}")
    return out


def fits(shape: Shape, declared: Shape) -> bool:
    """Whether a per-sample shape matches a declared one; None matches any length."""
    return len(shape) == len(declared) and all(
        d is None or int(d) == int(s) for s, d in zip(shape, declared, strict=True))


def as_float_array(x: Any, what: str) -> np.ndarray:
    """``x`` as a NumPy array of numbers (floats kept, others to float32), else a ShapeError."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists etc.
        raise ShapeError(f"{what} cannot be turned into an array: {exc}") from exc
    if arr.dtype.kind not in "biuf":
        raise ShapeError(f"{what} must hold numbers; received dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float32)
