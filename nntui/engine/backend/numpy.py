"""NumPy implementation of the backend ops (float32 by default, float64 for gradient checks)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nntui.engine.backend.base import Array, Axis, Shape


class NumpyBackend:
    """Backend ops on ``numpy.ndarray``; runs everywhere.

    Args:
        dtype: floating dtype of parameters and activations (``"float32"`` or ``"float64"``).
    """

    name = "numpy"

    def __init__(self, dtype: str = "float32") -> None:
        self.dtype = np.dtype(dtype)
        self._ones: dict[np.dtype, np.ndarray] = {}  # for column sums as one GEMV

    # conversion
    def asarray(self, x: Any, dtype: Any = None) -> Array:
        a = np.asarray(x)
        if dtype is not None:
            return a.astype(dtype, copy=False)
        if a.dtype.kind == "f" and a.dtype != self.dtype:
            return a.astype(self.dtype)
        return a

    def to_numpy(self, x: Array) -> np.ndarray:
        return np.asarray(x)

    def item(self, x: Array) -> float:
        return float(x)

    # creation
    def zeros(self, shape: Shape) -> Array:
        return np.zeros(shape, self.dtype)

    def ones(self, shape: Shape) -> Array:
        return np.ones(shape, self.dtype)

    def zeros_like(self, x: Array) -> Array:
        return np.zeros_like(x)

    def full(self, shape: Shape, value: float) -> Array:
        return np.full(shape, value, self.dtype)

    def arange(self, n: int) -> Array:
        return np.arange(n)

    # elementwise
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)

    @staticmethod
    def where(cond: np.ndarray, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
        return np.where(cond, a, b)

    def sigmoid(self, x: Array) -> Array:
        # exp of a non-positive number only, so neither branch overflows
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    def softplus(self, x: Array) -> Array:
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def clip(self, x: Array, lo: float, hi: float) -> Array:
        return np.clip(x, lo, hi)

    def astype(self, x: Array, dtype: Any) -> Array:
        return x.astype(dtype)

    # reductions
    def sum(self, x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        if axis == 0 and not keepdims and x.ndim == 2 and x.dtype.kind == "f":
            # column sums (bias gradients) as ones @ x: one GEMV; NumPy's axis-0 sum walks
            # rows with a C-long inner loop, ~13x slower for a (43264, 8) conv gradient
            return self._ones_vector(x.shape[0], x.dtype) @ x
        return np.sum(x, axis=axis, keepdims=keepdims)

    def _ones_vector(self, n: int, dtype: np.dtype) -> np.ndarray:
        ones = self._ones.get(dtype)
        if ones is None or ones.size < n:
            ones = self._ones[dtype] = np.ones(n, dtype)
        return ones[:n]

    def mean(self, x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return np.mean(x, axis=axis, keepdims=keepdims)

    def max(self, x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return np.max(x, axis=axis, keepdims=keepdims)

    def argmax(self, x: Array, axis: int = -1) -> Array:
        return np.argmax(x, axis=axis)

    def logsumexp(self, x: Array, axis: int = -1, keepdims: bool = False) -> Array:
        m = np.max(x, axis=axis, keepdims=True)
        out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
        return out if keepdims else np.squeeze(out, axis=axis)

    def softmax(self, x: Array, axis: int = -1) -> Array:
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        e /= np.sum(e, axis=axis, keepdims=True)
        return e

    # shapes
    def reshape(self, x: Array, shape: Shape) -> Array:
        return np.reshape(x, shape)

    def transpose(self, x: Array, axes: Shape) -> Array:
        return np.transpose(x, axes)

    def expand_dims(self, x: Array, axis: int) -> Array:
        return np.expand_dims(x, axis)

    def concatenate(self, xs: list[Array], axis: int = 0) -> Array:
        return np.concatenate(xs, axis=axis)

    def stack(self, xs: list[Array], axis: int = 0) -> Array:
        return np.stack(xs, axis=axis)

    def pad(self, x: Array, pads: list[tuple[int, int]]) -> Array:
        return np.pad(x, pads)

    def broadcast_to(self, x: Array, shape: Shape) -> Array:
        return np.broadcast_to(x, shape)

    # linear algebra and indexing
    def matmul(self, a: Array, b: Array) -> Array:
        return np.matmul(a, b)

    def take(self, x: Array, idx: Array, axis: int = 0) -> Array:
        return np.take(x, idx, axis=axis)

    def one_hot(self, labels: Array, n: int) -> Array:
        out = np.zeros((labels.size, n), self.dtype)
        out[np.arange(labels.size), labels.reshape(-1)] = 1
        return out.reshape(labels.shape + (n,))

    def scatter_add_rows(self, n_rows: int, idx: Array, values: Array) -> Array:
        """``out[idx[k]] += values[k]`` for repeated indices (Embedding backward)."""
        out = np.zeros((n_rows,) + values.shape[idx.ndim:], values.dtype)
        np.add.at(out, idx.reshape(-1), values.reshape((-1,) + values.shape[idx.ndim:]))
        return out

    # convolution helpers
    def im2col(self, x: Array, kh: int, kw: int, sh: int, sw: int) -> Array:
        """Patches of a padded (N, H, W, C) input as (N, OH, OW, kh*kw*C), one copy (which
        may be a transposed view: reshape it, don't assume C order)."""
        n, h, w, c = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        if c == 1:  # one channel: kh*kw slice copies beat a strided copy with a 1-long inner run
            # patch-major (kh*kw, N, OH, OW): each copy writes one contiguous block (~1.7x
            # faster than interleaving); returned as its transposed view, so the GEMM on
            # the (N*OH*OW, kh*kw) reshape reads it as a transposed operand, without a copy
            out = np.empty((kh, kw, n, oh, ow), x.dtype)
            for i in range(kh):
                for j in range(kw):
                    out[i, j] = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, 0]
            return out.reshape(kh * kw, n, oh, ow).transpose(1, 2, 3, 0)
        s0, s1, s2, s3 = x.strides
        win = as_strided(x, (n, oh, ow, kh, kw, c), (s0, s1 * sh, s2 * sw, s1, s2, s3),
                         writeable=False)
        return win.reshape(n, oh, ow, kh * kw * c)  # copies: (N, OH, OW, kh, kw, C) -> rows

    def col2im(self, cols: Array, x_shape: Shape, kh: int, kw: int, sh: int, sw: int) -> Array:
        """Adjoint of :meth:`im2col`: sums patch gradients back into a padded input.

        With strides, the sums go into a phase-major buffer (sh, sw, N, H/sh, W/sw, C),
        where every kernel offset's target is a contiguous block rather than every
        sh-th pixel; one transpose at the end interleaves the phases back.
        """
        n, h, w, c = x_shape
        oh, ow = cols.shape[1], cols.shape[2]
        # (N, OH, OW, kh*kw*C) -> (kh, kw, N, OH, OW, C)
        cols6 = cols.reshape(n, oh, ow, kh, kw, c).transpose(3, 4, 0, 1, 2, 5)
        if c > 1:  # window-major copy: each add below then reads C-long runs contiguously
            cols6 = np.ascontiguousarray(cols6)
        hb, wb = -(-h // sh), -(-w // sw)  # rows and columns per phase
        dxp = np.zeros((sh, sw, n, hb, wb, c), cols.dtype)
        for i in range(kh):  # kh*kw adds, each over the whole batch
            for j in range(kw):
                a, b = i // sh, j // sw
                dxp[i % sh, j % sw, :, a:a + oh, b:b + ow, :] += cols6[i, j]
        if sh == sw == 1:
            return dxp[0, 0]
        dx = dxp.transpose(2, 3, 0, 4, 1, 5).reshape(n, hb * sh, wb * sw, c)
        return dx[:, :h, :w, :]

    # randomness
    def uniform(self, shape: Shape, rng: np.random.Generator, low: float = 0.0,
                high: float = 1.0) -> Array:
        return rng.uniform(low, high, shape).astype(self.dtype)

    def normal(self, shape: Shape, rng: np.random.Generator) -> Array:
        return rng.standard_normal(shape).astype(self.dtype)

    # optimizer support
    def update(self, param: Array, delta: Array) -> Array:
        param -= delta
        return param

    def all_finite(self, x: Array) -> bool:
        return bool(np.isfinite(x).all())

    def compile(self, fn: Any) -> Any:
        return fn
