"""Compiled (numba) versions of the hottest NumPy kernels, for float32 arrays.

Same names, arguments and results as ``kernels_numpy.py`` (the reference, tested equal).
Each runs its formula in one pass over memory, where NumPy makes one pass per operation:
Adam's update reads g, m, v and writes p, m, v once instead of ~12 times; an LSTM step
computes every gate, the cell and the hidden state per element in registers.

tanh here is the rational form of Eigen's float tanh (≤ 2.4e-7 from NumPy's, measured
over ±9): numba's own tanh and exp call libm one element at a time (~20 and ~5 ns an
element, measured), while this form is only multiply-adds and one division, which the
compiler vectorises (~0.5 ns). Importing this module imports numba (~0.3 s); compiled
code is cached on disk, so only the first run on a machine compiles (a few seconds).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from nntui.engine.backend import kernels_numpy as kn

jit: Any = numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)
# multiply-adds contracted to FMAs (one rounding instead of two): the LSTM steps, ~20 %
fused: Any = numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False,
                        fastmath={"contract"})
CLAMP = np.float32(7.90531110763549805)  # tanh(±CLAMP) rounds to ±1 in float32
# Eigen's ptanh_float coefficients: tanh(x) ≈ x·P(x²) / Q(x²) on [−CLAMP, CLAMP]
P = (np.float32(-2.76076847742355e-16), np.float32(2.00018790482477e-13),
     np.float32(-8.60467152213735e-11), np.float32(5.12229709037114e-08),
     np.float32(1.48572235717979e-05), np.float32(6.37261928875436e-04),
     np.float32(4.89352455891786e-03))
Q = (np.float32(1.19825839466702e-06), np.float32(1.18534705686654e-04),
     np.float32(2.26843463243900e-03), np.float32(4.89352518554385e-03))
HALF, ONE = np.float32(0.5), np.float32(1.0)
Arr = np.ndarray  # the compiled functions' arrays (numba types them at the first call)


@numba.njit(inline="always")
def _tanh(x: Any) -> Any:
    if x > CLAMP:  # comparisons, not min/max: a NaN stays NaN (divergence must show)
        x = CLAMP
    elif x < -CLAMP:
        x = -CLAMP
    x2 = x * x
    p = ((((((P[0] * x2 + P[1]) * x2 + P[2]) * x2 + P[3]) * x2 + P[4]) * x2 + P[5]) * x2 + P[6])
    q = ((Q[0] * x2 + Q[1]) * x2 + Q[2]) * x2 + Q[3]
    return x * p / q


@numba.njit(inline="always")
def _sigmoid(x: Any) -> Any:
    return HALF * _tanh(HALF * x) + HALF


# optimizers -------------------------------------------------------------------------
# Gradients and moments below float32's smallest normal number are flushed to zero: a
# weight whose gradient stays 0 (an input pixel that is always 0, a dead unit) has its
# momentum decay by β1 every step into subnormal numbers within ~800 steps, and the
# CPU's arithmetic on those is ~100x slower: on the reference MLP Adam's share of an
# epoch grew from ~12 % to ~70 % after 10 epochs (measured). A subnormal is below any
# step that moves a float32 weight, so the update is unchanged.
TINY = np.float32(np.finfo(np.float32).tiny)


@numba.njit(inline="always")
def _flush(x: Any) -> Any:
    return x if abs(x) >= TINY or x != x else x - x  # NaN stays NaN; x - x keeps the dtype


@jit
def _adam(p: Arr, g: Arr, m: Arr, v: Arr, alpha: float, beta_1: float, beta_2: float,
          epsilon: float) -> None:
    c1, c2 = p.dtype.type(1.0 - beta_1), p.dtype.type(1.0 - beta_2)
    a, e = p.dtype.type(alpha), p.dtype.type(epsilon)
    for k in range(p.size):
        gk = _flush(g[k])
        mk = _flush(m[k] + (gk - m[k]) * c1)
        vk = _flush(v[k] + (gk * gk - v[k]) * c2)
        m[k], v[k] = mk, vk
        p[k] -= (mk * a) / (np.sqrt(vk) + e)


@jit
def _rmsprop(p: Arr, g: Arr, v: Arr, m: Arr, lr: float, rho: float, momentum: float,
             epsilon: float, use_m: bool) -> None:
    r, r1 = p.dtype.type(rho), p.dtype.type(1.0 - rho)
    eta, mu, e = p.dtype.type(lr), p.dtype.type(momentum), p.dtype.type(epsilon)
    for k in range(p.size):
        gk = _flush(g[k])
        vk = _flush(v[k] * r + (gk * gk) * r1)
        v[k] = vk
        inc = (gk * eta) / np.sqrt(vk + e)
        if use_m:
            inc = _flush(m[k] * mu + inc)
            m[k] = inc
        p[k] -= inc


@jit
def _sgd(p: Arr, g: Arr, m: Arr, lr: float, momentum: float, nesterov: bool,
         use_m: bool) -> None:
    eta, mu = p.dtype.type(lr), p.dtype.type(momentum)
    for k in range(p.size):
        g_lr = _flush(g[k]) * eta
        if not use_m:
            p[k] -= g_lr
            continue
        mk = _flush(m[k] * mu - g_lr)
        m[k] = mk
        p[k] += mk * mu - g_lr if nesterov else mk


# the wrappers pass flat views (contiguous arrays): one compiled version for every shape
def adam_update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, alpha: float,
                beta_1: float, beta_2: float, epsilon: float) -> None:
    _adam(*_flat(p, g, m, v), alpha, beta_1, beta_2, epsilon)


def rmsprop_update(p: np.ndarray, g: np.ndarray, v: np.ndarray, m: np.ndarray | None,
                   lr: float, rho: float, momentum: float, epsilon: float) -> None:
    _rmsprop(*_flat(p, g, v, v if m is None else m), lr, rho, momentum, epsilon, m is not None)


def sgd_update(p: np.ndarray, g: np.ndarray, m: np.ndarray | None, lr: float,
               momentum: float, nesterov: bool) -> None:
    _sgd(*_flat(p, g, p if m is None else m), lr, momentum, nesterov, m is not None)


def _flat(*arrays: np.ndarray) -> list[np.ndarray]:
    return [a.reshape(-1) for a in arrays]


# LSTM, σ gates and tanh ----------------------------------------------------------------
# A row's four gate blocks run as one loop with per-column constants, a = s·tanh(s·z) + o
# (σ(z) = tanh(z/2)/2 + 1/2 on i, f, o; tanh on c), and the cell as a second loop; each
# loop reads few arrays, which the compiler can tell apart and vectorise. (One loop over
# all four blocks per element stayed scalar, ~4x slower; one loop per block, ~2x.)
@fused
def _lstm_step(z: Arr, hu: Arr, c_prev: Arr, a: Arr, c: Arr, tc: Arr, h: Arr,
               scale: Arr, offset: Arr, first: bool) -> None:
    n, u = c.shape
    for r in range(n):
        zr, hr, ar = z[r], hu[r], a[r]
        if first:  # h_0 = 0: no h·U
            for j in range(4 * u):
                s = scale[j]
                ar[j] = s * _tanh(s * zr[j]) + offset[j]
        else:
            for j in range(4 * u):
                s = scale[j]
                ar[j] = s * _tanh(s * (zr[j] + hr[j])) + offset[j]
        cr, pr, tr, hrow = c[r], c_prev[r], tc[r], h[r]
        for j in range(u):
            cv = ar[j] * ar[2 * u + j]
            if not first:  # c_0 = 0
                cv += ar[u + j] * pr[j]
            cr[j] = cv
            t = _tanh(cv)
            tr[j] = t
            hrow[j] = ar[3 * u + j] * t


_GATES: dict[tuple[int, np.dtype], tuple[np.ndarray, np.ndarray]] = {}


def _gate_constants(u: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(scale, offset) per column of the i f c o blocks, made once per size."""
    key = (u, dtype)
    if key not in _GATES:
        scale, offset = np.full(4 * u, 0.5, dtype), np.full(4 * u, 0.5, dtype)
        scale[2 * u:3 * u], offset[2 * u:3 * u] = 1.0, 0.0
        _GATES[key] = scale, offset
    return _GATES[key]


@fused
def _lstm_step_backward(dh: Arr, dc: Arr, a: Arr, c_prev: Arr, tc: Arr, dz: Arr,
                        first: bool) -> None:
    n, u = dc.shape
    for r in range(n):
        ar, dcr, dhr, tr, dzr = a[r], dc[r], dh[r], tc[r], dz[r]
        for j in range(u):  # dc += dh ⊙ o ⊙ (1 − tanh(c)²)
            t = tr[j]
            dcr[j] += dhr[j] * ar[3 * u + j] * (ONE - t * t)
        for j in range(u):  # o's block, then i's and g's
            o = ar[3 * u + j]
            dzr[3 * u + j] = dhr[j] * tr[j] * o * (ONE - o)
        for j in range(u):
            i, g = ar[j], ar[2 * u + j]
            dzr[j] = dcr[j] * g * i * (ONE - i)
            dzr[2 * u + j] = dcr[j] * i * (ONE - g * g)
        if first:  # c_0 = 0
            for j in range(u):
                dzr[u + j] = 0.0
        else:
            pr = c_prev[r]
            for j in range(u):
                f = ar[u + j]
                dzr[u + j] = dcr[j] * pr[j] * f * (ONE - f)
        for j in range(u):
            dcr[j] *= ar[u + j]


def lstm_step(z: np.ndarray, hu: np.ndarray | None, c_prev: np.ndarray | None,
              a: np.ndarray, c: np.ndarray, tc: np.ndarray, h: np.ndarray) -> None:
    first = hu is None or c_prev is None
    _lstm_step(z, z if hu is None else hu, c if c_prev is None else c_prev, a, c, tc, h,
               *_gate_constants(c.shape[1], c.dtype), first)


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, a: np.ndarray, c_prev: np.ndarray | None,
                       tc: np.ndarray, dz: np.ndarray) -> None:
    _lstm_step_backward(dh, dc, a, dc if c_prev is None else c_prev, tc, dz, c_prev is None)


# activations ----------------------------------------------------------------------------
@jit
def _relu_backward(grad: Arr, z: Arr, out: Arr) -> None:
    zero, one = grad.dtype.type(0.0), grad.dtype.type(1.0)
    for k in range(grad.size):
        out[k] = grad[k] * (one if z[k] > 0 else zero)  # a product: NaN · 0 stays NaN


def relu_backward(grad: np.ndarray, z: np.ndarray) -> np.ndarray:
    """One pass where NumPy's ``grad * (z > 0)`` makes a mask and then multiplies."""
    out = np.empty_like(grad)
    _relu_backward(grad.reshape(-1), z.reshape(-1), out.reshape(-1))
    return out


# pooling, non-overlapping windows (stride = pool size) ----------------------------------
@jit
def _max_pool(x: Arr, ph: int, pw: int, best: Arr, idx: Arr) -> None:
    n, oh, ow, c = best.shape
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                top, out, won = x[b, i * ph, j * pw], best[b, i, j], idx[b, i, j]
                for ch in range(c):
                    out[ch], won[ch] = top[ch], 0
                for k in range(1, ph * pw):
                    part = x[b, i * ph + k // pw, j * pw + k % pw]
                    for ch in range(c):
                        v = part[ch]
                        if v > out[ch]:  # strict: a tie keeps the earlier slot
                            out[ch], won[ch] = v, k
                        elif v != v:  # NaN wins, as np.maximum (divergence must show)
                            out[ch] = v


@jit
def _max_pool_backward(grad: Arr, idx: Arr, ph: int, pw: int, dx: Arr) -> None:
    n, oh, ow, c = grad.shape
    for b in range(n):
        for i in range(oh):
            for u in range(ph):
                for j in range(ow):
                    g, won = grad[b, i, j], idx[b, i, j]
                    for v in range(pw):
                        out, k = dx[b, i * ph + u, j * pw + v], u * pw + v
                        for ch in range(c):
                            out[ch] = g[ch] if won[ch] == k else 0.0


def max_pool(x: np.ndarray, pool: tuple[int, int], strides: tuple[int, int]
             ) -> tuple[np.ndarray, np.ndarray]:
    if pool != strides or not x.flags.c_contiguous:
        return kn.max_pool(x, pool, strides)
    (ph, pw), (n, h, w, c) = pool, x.shape
    best = np.empty((n, h // ph, w // pw, c), x.dtype)
    idx = np.empty(best.shape, np.uint8 if ph * pw <= 256 else np.int64)
    _max_pool(x, ph, pw, best, idx)
    return best, idx


def max_pool_backward(grad: np.ndarray, idx: np.ndarray, x_shape: tuple[int, ...],
                      pool: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    if pool != strides or not (grad.flags.c_contiguous and idx.flags.c_contiguous):
        return kn.max_pool_backward(grad, idx, x_shape, pool, strides)
    (ph, pw), (oh, ow) = pool, grad.shape[1:3]
    exact = (oh * ph, ow * pw) == tuple(x_shape[1:3])  # else pixels in no window get 0
    dx = (np.empty if exact else np.zeros)(x_shape, grad.dtype)
    _max_pool_backward(grad, idx, ph, pw, dx)
    return dx


# convolution ----------------------------------------------------------------------------
@jit
def _col2im(cols: Arr, kh: int, kw: int, sh: int, sw: int, dx: Arr) -> None:
    n, oh, ow, _ = cols.shape
    c = dx.shape[3]
    for b in range(n):
        for i in range(oh):
            for u in range(kh):
                for j in range(ow):
                    patch = cols[b, i, j]
                    for v in range(kw):
                        out, base = dx[b, i * sh + u, j * sw + v], (u * kw + v) * c
                        for ch in range(c):
                            out[ch] += patch[base + ch]


def col2im(cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int, sh: int,
           sw: int) -> np.ndarray:
    """Adjoint of im2col: every patch's gradient added into the pixels it covered."""
    dx = np.zeros(x_shape, cols.dtype)
    _col2im(np.ascontiguousarray(cols), kh, kw, sh, sw, dx)
    return dx


def conv2d_input_grad(dz: np.ndarray, kernel: np.ndarray, x_shape: tuple[int, ...],
                      strides: tuple[int, int]) -> np.ndarray:
    """col2im(dz·Wᵀ): one GEMM, then one compiled pass adding the patches back."""
    kh, kw, c, f = kernel.shape
    n, oh, ow, _ = dz.shape
    # (N*OH*OW, F) @ (F, kh*kw*C) -> every patch's gradient
    dcols = dz.reshape(n * oh * ow, f) @ kernel.reshape(kh * kw * c, f).T
    return col2im(dcols.reshape(n, oh, ow, kh * kw * c), x_shape, kh, kw, *strides)
