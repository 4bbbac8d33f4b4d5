"""MLX implementation of the backend ops (the only module that imports ``mlx``).

Same method names and semantics as ``numpy.py``; every result is an
``mlx.core.array``. MLX is lazy: a step builds a graph that runs when a number
is needed (``item``, ``to_numpy``), so a whole forward/backward/update runs as
one evaluation. Arrays are immutable, hence ``update`` returns ``param - delta``.

float32 by default; float64 works on the CPU device only (MLX's GPU has none).
"""

from __future__ import annotations

from typing import Any

import mlx.core as mx
import numpy as np

from nntui.engine.backend.base import Array, Axis, Shape
from nntui.engine.backend.kernels_mlx import MlxKernels
from nntui.errors import ConfigError

_DTYPES: dict[str, Any] = {
    "float32": mx.float32, "float64": mx.float64, "float16": mx.float16,
    "bfloat16": mx.bfloat16, "bool": mx.bool_, "int8": mx.int8, "int16": mx.int16,
    "int32": mx.int32, "int64": mx.int64, "uint8": mx.uint8, "uint16": mx.uint16,
    "uint32": mx.uint32, "uint64": mx.uint64,
}


def to_mx_dtype(dtype: Any) -> Any:
    """An ``mx.Dtype`` for a NumPy dtype, a dtype name, a Python type or an ``mx.Dtype``.

    Raises:
        ConfigError: a dtype MLX has no equivalent for.
    """
    if isinstance(dtype, mx.Dtype):
        return dtype
    if dtype is float:
        return mx.float32
    if dtype is bool:
        return mx.bool_
    if dtype is int:
        return mx.int64
    try:
        name = np.dtype(dtype).name
    except TypeError as exc:
        raise ConfigError(f"MLX has no dtype for {dtype!r}") from exc
    if name not in _DTYPES:
        raise ConfigError(f"MLX has no dtype for {dtype!r}")
    return _DTYPES[name]


class MlxBackend(MlxKernels):
    """Backend ops on ``mlx.core.array`` (Apple Silicon, or Linux through ``mlx[cpu]``).

    Args:
        dtype: ``"float32"`` (default) or ``"float64"`` (CPU device only).

    Raises:
        ConfigError: float64 asked for while MLX's default device is the GPU.
    """

    name = "mlx"

    def __init__(self, dtype: str = "float32") -> None:
        mdt = to_mx_dtype(dtype)
        if mdt not in (mx.float32, mx.float64):
            raise ConfigError(f"dtype must be 'float32' or 'float64'. Received: dtype={dtype!r}")
        if mdt == mx.float64 and mx.default_device() != mx.cpu:
            raise ConfigError(
                "the MLX backend supports float64 only on the CPU device; use dtype='float32' "
                "or backend='numpy' for float64 gradient checks"
            )
        self.dtype = mdt

    # conversion at the edges -----------------------------------------------------
    def asarray(self, x: Any, dtype: Any = None) -> Array:
        """NumPy (or Python) data to an MLX array; floats become the backend dtype."""
        if isinstance(x, mx.array):
            a = x
        else:
            n = np.asarray(x)
            if dtype is None and n.dtype.kind == "f":
                return mx.array(n, dtype=self.dtype)
            if n.dtype.kind in "OUSV":
                raise ConfigError(f"cannot turn an array of dtype {n.dtype} into an MLX array")
            a = mx.array(n, dtype=to_mx_dtype(n.dtype))
        if dtype is not None:
            want = to_mx_dtype(dtype)
            return a if a.dtype == want else a.astype(want)
        if mx.issubdtype(a.dtype, mx.floating) and a.dtype != self.dtype:
            return a.astype(self.dtype)
        return a

    def to_numpy(self, x: Array) -> np.ndarray:
        return np.array(x) if isinstance(x, mx.array) else np.asarray(x)

    def item(self, x: Array) -> float:
        return float(x.item()) if isinstance(x, mx.array) else float(x)  # type: ignore[arg-type]

    # creation --------------------------------------------------------------------
    def zeros(self, shape: Shape) -> Array:
        return mx.zeros(tuple(shape), self.dtype)

    def ones(self, shape: Shape) -> Array:
        return mx.ones(tuple(shape), self.dtype)

    def zeros_like(self, x: Array) -> Array:
        return mx.zeros_like(x)

    def full(self, shape: Shape, value: float) -> Array:
        return mx.full(tuple(shape), value, self.dtype)

    def arange(self, n: int) -> Array:
        return mx.arange(n)

    # elementwise -----------------------------------------------------------------
    def exp(self, x: Array) -> Array:
        return mx.exp(x)

    def log(self, x: Array) -> Array:
        return mx.log(x)

    def log1p(self, x: Array) -> Array:
        return mx.log1p(x)

    def sqrt(self, x: Array) -> Array:
        return mx.sqrt(x)

    def tanh(self, x: Array) -> Array:
        return mx.tanh(x)

    def sigmoid(self, x: Array) -> Array:
        return mx.sigmoid(x)  # MLX's kernel is overflow-safe on both sides

    def softplus(self, x: Array) -> Array:
        return mx.maximum(x, 0) + mx.log1p(mx.exp(-mx.abs(x)))

    def abs(self, x: Array) -> Array:
        return mx.abs(x)

    def sign(self, x: Array) -> Array:
        return mx.sign(x)

    def maximum(self, a: Array, b: Array | float) -> Array:
        return mx.maximum(a, b)

    def minimum(self, a: Array, b: Array | float) -> Array:
        return mx.minimum(a, b)

    def where(self, cond: Array, a: Array | float, b: Array | float) -> Array:
        # Python scalars are weakly typed in MLX, so where(c, x32, 0.0) stays float32
        if not isinstance(a, mx.array) and not isinstance(b, mx.array):
            a = mx.array(a, dtype=self.dtype)
        return mx.where(cond, a, b)

    def clip(self, x: Array, lo: float, hi: float) -> Array:
        return mx.clip(x, lo, hi)

    def astype(self, x: Array, dtype: Any) -> Array:
        return x.astype(to_mx_dtype(dtype))

    # reductions ------------------------------------------------------------------
    def sum(self, x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return mx.sum(x, axis=axis, keepdims=keepdims)

    def mean(self, x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return mx.mean(x, axis=axis, keepdims=keepdims)

    def max(self, x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return mx.max(x, axis=axis, keepdims=keepdims)

    def argmax(self, x: Array, axis: int = -1) -> Array:
        return mx.argmax(x, axis=axis).astype(mx.int32)  # MLX gives uint32; keep it signed

    def logsumexp(self, x: Array, axis: int = -1, keepdims: bool = False) -> Array:
        return mx.logsumexp(x, axis=axis, keepdims=keepdims)

    def softmax(self, x: Array, axis: int = -1) -> Array:
        return mx.softmax(x, axis=axis, precise=True)

    # shapes ----------------------------------------------------------------------
    def reshape(self, x: Array, shape: Shape) -> Array:
        return mx.reshape(x, tuple(shape))

    def transpose(self, x: Array, axes: Shape) -> Array:
        return mx.transpose(x, tuple(axes))

    def expand_dims(self, x: Array, axis: int) -> Array:
        return mx.expand_dims(x, axis)

    def concatenate(self, xs: list[Array], axis: int = 0) -> Array:
        return mx.concatenate(list(xs), axis=axis)

    def stack(self, xs: list[Array], axis: int = 0) -> Array:
        return mx.stack(list(xs), axis=axis)

    def pad(self, x: Array, pads: list[tuple[int, int]]) -> Array:
        if not any(a or b for a, b in pads):
            return x
        return mx.pad(x, [(int(a), int(b)) for a, b in pads])

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        return mx.broadcast_to(x, tuple(shape))

    # linear algebra and indexing -------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        return mx.matmul(a, b)

    def take(self, x: Array, idx: Array, axis: int = 0) -> Array:
        return mx.take(x, self._index(idx), axis=axis)

    def one_hot(self, labels: Array, n: int) -> Array:
        labels = self._index(labels)
        return (mx.expand_dims(labels, -1) == mx.arange(n)).astype(self.dtype)  # (..., n)

    def scatter_add_rows(self, n_rows: int, idx: Array, values: Array) -> Array:
        """``out[idx[k]] += values[k]`` for repeated indices (Embedding backward)."""
        idx = self._index(idx)
        tail = tuple(values.shape[idx.ndim:])
        out = mx.zeros((n_rows,) + tail, values.dtype)
        return out.at[idx.reshape(-1)].add(values.reshape((-1,) + tail))

    @staticmethod
    def _index(idx: Any) -> Array:
        """Integer indices as an MLX array (NumPy indices cross once, at the edge)."""
        if isinstance(idx, mx.array):
            return idx if mx.issubdtype(idx.dtype, mx.integer) else idx.astype(mx.int32)
        return mx.array(np.asarray(idx).astype(np.int32, copy=False))

    # randomness ------------------------------------------------------------------
    def uniform(self, shape: Shape, rng: np.random.Generator, low: float = 0.0,
                high: float = 1.0) -> Array:
        key = mx.random.key(int(rng.integers(2**31)))
        return mx.random.uniform(low, high, tuple(shape), self.dtype, key=key)

    def normal(self, shape: Shape, rng: np.random.Generator) -> Array:
        key = mx.random.key(int(rng.integers(2**31)))
        return mx.random.normal(tuple(shape), self.dtype, key=key)

    # optimizer support -----------------------------------------------------------
    def update(self, param: Array, delta: Array) -> Array:
        return param - delta

    def all_finite(self, x: Array) -> bool:
        return bool(mx.all(mx.isfinite(x)).item())

    def compile(self, fn: Any) -> Any:
        """``mx.compile(fn)``; fn must be pure: arrays in, arrays out, nothing cached on objects.

        Layers cache their inputs on ``self`` for the explicit backward, so a whole
        train step is not pure; compile only self-contained array functions. On Linux
        CPUs the first call of each new fused kernel JIT-compiles C++ (seconds, once).
        """
        return mx.compile(fn)


__all__ = ["MlxBackend", "to_mx_dtype"]
