"""NumPy implementation of the backend ops (float32 by default, float64 for gradient checks).

The kernels (optimizer updates, LSTM steps, pooling, the convolution's input gradient)
run in place: pure NumPy in ``kernels_numpy.py`` / ``lstm_numpy.py``, and for float32 the
compiled versions in ``kernels_numba.py`` when numba is installed (``NNTUI_KERNELS=numpy``
keeps the pure-NumPy ones).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any

import numpy as np

from nntui.engine.backend import attention_numpy, layer_norm, lstm_numpy
from nntui.engine.backend import kernels_numpy as kn
from nntui.engine.backend.base import Array, Axis, Shape

_compiled: list[ModuleType | None] = []  # kernels_numba once tried (None: not installed)
_transformer: list[ModuleType | None] = []  # transformer_numba, likewise


def compiled_kernels() -> ModuleType | None:
    """``kernels_numba``, imported on first use (numba takes ~0.3 s), or None when numba is
    not installed or ``NNTUI_KERNELS=numpy``."""
    if not _compiled:
        module = None
        if os.environ.get("NNTUI_KERNELS", "").strip().lower() != "numpy":
            try:
                module = importlib.import_module("nntui.engine.backend.kernels_numba")
            except ImportError:  # numba is not installed
                module = None
        _compiled.append(module)
    return _compiled[0]


def compiled_transformer_kernels() -> ModuleType | None:
    """``transformer_numba`` (attention and layer norm), imported on first use, or None as
    for :func:`compiled_kernels`."""
    if not _transformer:
        _transformer.append(None if compiled_kernels() is None else importlib.import_module(
            "nntui.engine.backend.transformer_numba"))
    return _transformer[0]


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
        if dtype is not None:  # parameters: C order, which the compiled kernels read flat
            return a.astype(dtype, order="C", copy=False)
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

    scatter_add_rows = staticmethod(attention_numpy.scatter_add_rows)

    # convolution helpers
    def im2col(self, x: Array, kh: int, kw: int, sh: int, sw: int) -> Array:
        return kn.im2col(x, kh, kw, sh, sw)

    def col2im(self, cols: Array, x_shape: Shape, kh: int, kw: int, sh: int, sw: int) -> Array:
        return kn.col2im(cols, x_shape, kh, kw, sh, sw)

    # randomness
    def uniform(self, shape: Shape, rng: np.random.Generator, low: float = 0.0,
                high: float = 1.0) -> Array:
        return rng.uniform(low, high, shape).astype(self.dtype)

    def normal(self, shape: Shape, rng: np.random.Generator) -> Array:
        return rng.standard_normal(shape).astype(self.dtype)

    # kernels (formulas in base.py) ------------------------------------------------------
    def _transformer(self, *arrays: np.ndarray) -> Any:
        """The module whose attention and layer norm run these arrays (compiled for
        float32; the kernels check layouts themselves)."""
        k = compiled_transformer_kernels()
        return k if k is not None and all(a.dtype == np.float32 for a in arrays) else None

    def attention(self, q: Array, k: Array, v: Array, scale: float, causal: bool,
                  drop: Array | None, keep_scores: bool) -> tuple[Array | None, Array, Array]:
        fast = self._transformer(q, k, v) or attention_numpy
        return fast.attention(q, k, v, scale, causal, drop, keep_scores)  # type: ignore

    def attention_backward(self, q: Array, k: Array, v: Array, attn: Array,
                           drop: Array | None, g_ctx: Array, scale: float,
                           keep_grad_attention: bool) -> tuple[Array, Array, Array, Array | None]:
        fast = self._transformer(q, k, v, attn, g_ctx) or attention_numpy
        return fast.attention_backward(q, k, v, attn, drop, g_ctx, scale,  # type: ignore
                                       keep_grad_attention)

    def layer_norm(self, x: Array, gamma: Array | None, beta: Array | None,
                   axes: tuple[int, ...], epsilon: float) -> tuple[Array, Array, Array]:
        fast = self._transformer(x, *_given(gamma), *_given(beta))
        if fast is None:
            return layer_norm.layer_norm(self, x, gamma, beta, axes, epsilon)
        return fast.layer_norm(x, gamma, beta, axes, epsilon)  # type: ignore[no-any-return]

    def layer_norm_backward(self, grad: Array, x_hat: Array, rstd: Array, gamma: Array | None,
                            axes: tuple[int, ...]) -> tuple[Array, Array, Array]:
        fast = self._transformer(grad, x_hat, rstd, *_given(gamma))
        if fast is None:
            return layer_norm.layer_norm_backward(self, grad, x_hat, rstd, gamma, axes)
        return fast.layer_norm_backward(grad, x_hat, rstd, gamma, axes)  # type: ignore

    def _fast(self, *arrays: np.ndarray) -> Any:
        """The module whose kernels run these arrays: compiled for contiguous float32."""
        k = compiled_kernels()
        if k is not None and all(a.dtype == np.float32 and a.flags.c_contiguous
                                 for a in arrays):
            return k
        return kn

    def sgd_update(self, param: Array, grad: Array, m: Array | None, lr: float,
                   momentum: float, nesterov: bool) -> tuple[Array, Array | None]:
        param = _writable(param)
        self._fast(param, grad, *_given(m)).sgd_update(param, grad, m, lr, momentum, nesterov)
        return param, m

    def rmsprop_update(self, param: Array, grad: Array, v: Array, m: Array | None, lr: float,
                       rho: float, momentum: float, epsilon: float
                       ) -> tuple[Array, Array, Array | None]:
        param = _writable(param)
        self._fast(param, grad, v, *_given(m)).rmsprop_update(param, grad, v, m, lr, rho,
                                                              momentum, epsilon)
        return param, v, m

    def adam_update(self, param: Array, grad: Array, m: Array, v: Array, alpha: float,
                    beta_1: float, beta_2: float, epsilon: float) -> tuple[Array, Array, Array]:
        param = _writable(param)
        self._fast(param, grad, m, v).adam_update(param, grad, m, v, alpha, beta_1, beta_2,
                                                  epsilon)
        return param, m, v

    def squared_norm(self, x: Array) -> float:
        return float(np.vdot(x, x))  # one BLAS dot, no x·x temporary

    def relu_backward(self, grad: Array, z: Array) -> Array:
        if grad.shape != z.shape:
            return kn.relu_backward(grad, z)
        return self._fast(grad, z).relu_backward(grad, z)

    def bias_add(self, z: Array, bias: Array) -> Array:
        return kn.bias_add(z, bias)

    def conv2d_input_grad(self, dz: Array, kernel: Array, x_shape: Shape,
                          strides: tuple[int, int]) -> Array:
        return self._fast(dz, kernel).conv2d_input_grad(dz, kernel, x_shape, strides)

    def max_pool2d(self, x: Array, pool: tuple[int, int], strides: tuple[int, int]
                   ) -> tuple[Array, Array]:
        return self._fast(x).max_pool(x, pool, strides)

    def max_pool2d_backward(self, grad: Array, argmax: Array, x_shape: Shape,
                            pool: tuple[int, int], strides: tuple[int, int]) -> Array:
        return self._fast(grad).max_pool_backward(grad, argmax, x_shape, pool, strides)

    def sum_pool2d(self, x: Array, pool: tuple[int, int], strides: tuple[int, int]) -> Array:
        return kn.sum_pool(x, pool, strides)

    def sum_pool2d_backward(self, grad: Array, x_shape: Shape, pool: tuple[int, int],
                            strides: tuple[int, int]) -> Array:
        return kn.sum_pool_backward(grad, x_shape, pool, strides)

    def lstm_forward(self, z: Array, recurrent_kernel: Array
                     ) -> tuple[Array, Array, Array, Array]:
        fast = self._fast(z, recurrent_kernel)
        return lstm_numpy.lstm_forward(z, recurrent_kernel, getattr(fast, "lstm_step", None))

    def lstm_backward(self, a: Array, c: Array, tanh_c: Array, recurrent_kernel: Array,
                      dh_last: Array, dh_steps: Array | None) -> tuple[Array, Array]:
        fast = self._fast(a, c, tanh_c)
        return lstm_numpy.lstm_backward(a, c, tanh_c, recurrent_kernel, dh_last, dh_steps,
                                        getattr(fast, "lstm_step_backward", None))

    # optimizer support
    def update(self, param: Array, delta: Array) -> Array:
        param -= delta
        return param

    def all_finite(self, x: Array) -> bool:
        return bool(np.isfinite(x).all())

    def compile(self, fn: Any) -> Any:
        return fn


def _writable(param: np.ndarray) -> np.ndarray:
    """The parameter to update in place: a copy when it is read-only (e.g. loaded)."""
    return param if param.flags.writeable else param.copy()


def _given(a: np.ndarray | None) -> tuple[np.ndarray, ...]:
    return () if a is None else (a,)
