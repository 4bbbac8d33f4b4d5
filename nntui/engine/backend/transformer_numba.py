"""Compiled (numba) attention and layer normalisation, for float32 arrays.

Same names, arguments and results as the references (``attention_numpy.py``,
``layer_norm.py``; tested equal at float32 tolerance). Measured on the GPT preset's model,
NumPy spent ~40 % of a step in these two: the softmax and the mask are a dozen passes
over (N, H, T, T) memory, and the seven layer norms ~8 passes each over (N, T, D). Here
a (sample, head) is one task whose products are BLAS calls (numba's ``np.dot``) and
whose scaling, mask, row maximum and normalisation run while its scores are in cache,
with NumPy's vectorised ``np.exp`` over every head at once in between (numba's exp is
a libm call per element, ~20x slower, and was most of a compiled softmax's time); a layer
norm is one pass per row (16 → ~3.5 ms a step).

They run on the calling thread. ``prange`` versions over numba's thread pool were
measured beside OpenBLAS's 2 threads and were no faster (a GPT step 77.8 ms against
75.8 serial, medians of 11 interleaved epochs): OpenBLAS's worker spins between
products, so a third runnable thread shares a core; with numba's OpenMP layer, whose
workers spin too, a step took 230 ms instead of 87.

Reductions may be reassociated (``fastmath={"reassoc", "contract"}``: summed in vector
lanes); NaN and infinity arithmetic stays exact, so divergence shows as in NumPy.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from nntui.engine.backend import attention_numpy
from nntui.engine.backend import layer_norm as ln_ref

jit: Any = numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False,
                      fastmath={"reassoc", "contract"})
Arr = np.ndarray


# attention, one (sample, head) ----------------------------------------------------------
# The products are BLAS calls (numba's np.dot); the exponentials are NumPy's vectorised
# np.exp over every head at once, between two compiled passes (numba's exp is a libm call
# per element, ~20x slower, and was most of a compiled softmax's time).
@jit
def _head_scores(q: Arr, k: Arr, scale: float, causal: bool, s: Arr) -> None:
    """s = q·kᵀ·scale minus each row's maximum, −inf where masked (exp gives exactly 0)."""
    np.dot(np.ascontiguousarray(q), np.ascontiguousarray(k).T, s)
    tq, tk = s.shape
    sc = s.dtype.type(scale)
    for i in range(tq):
        n = i + 1 if causal else tk  # keys this query sees
        row = s[i]
        top = row[0] * sc
        for j in range(n):
            row[j] *= sc
            if not row[j] <= top:  # a NaN wins, as in NumPy's max (divergence must show)
                top = row[j]
        for j in range(n):
            row[j] -= top
        for j in range(n, tk):
            row[j] = -np.inf


@jit
def _head_context(e: Arr, v: Arr, c: Arr) -> None:
    """A = e / Σ_j e (in place); C = A·v."""
    tk = e.shape[1]
    for i in range(e.shape[0]):
        row = e[i]
        total = row.dtype.type(0.0)
        for j in range(tk):
            total += row[j]
        inv = row.dtype.type(1.0) / total
        for j in range(tk):
            row[j] *= inv
    np.dot(e, np.ascontiguousarray(v), c)


@jit
def _head_backward(q: Arr, k: Arr, v: Arr, a: Arr, g: Arr, scale: float, gq: Arr, gk: Arr,
                   gv: Arr) -> None:
    qc, kc, gc = np.ascontiguousarray(q), np.ascontiguousarray(k), np.ascontiguousarray(g)
    np.dot(a.T, gc, gv)                                  # dL/dv = Aᵀ·g
    ds = np.dot(gc, np.ascontiguousarray(v).T)           # dL/dA = g·vᵀ
    for i in range(ds.shape[0]):  # dL/dS = A ⊙ (dL/dA − Σ_j dL/dA ⊙ A)
        row, ai = ds[i], a[i]
        dot = row.dtype.type(0.0)
        for j in range(row.shape[0]):
            dot += row[j] * ai[j]
        for j in range(row.shape[0]):
            row[j] = ai[j] * (row[j] - dot)
    np.dot(ds, kc, gq)                                   # dL/dq = dL/dS·k·scale
    np.dot(ds.T, qc, gk)                                 # dL/dk = dL/dSᵀ·q·scale
    s = gq.dtype.type(scale)
    gq *= s
    gk *= s


# every (sample, head) in turn
@jit
def _scores(q: Arr, k: Arr, scale: float, causal: bool, s: Arr) -> None:
    for n in range(q.shape[0]):
        for h in range(q.shape[1]):
            _head_scores(q[n, h], k[n, h], scale, causal, s[n, h])


@jit
def _context(e: Arr, v: Arr, c: Arr) -> None:
    for n in range(e.shape[0]):
        for h in range(e.shape[1]):
            _head_context(e[n, h], v[n, h], c[n, h])


@jit
def _backward(q: Arr, k: Arr, v: Arr, a: Arr, g: Arr, scale: float, gq: Arr, gk: Arr,
              gv: Arr) -> None:
    for n in range(q.shape[0]):
        for h in range(q.shape[1]):
            _head_backward(q[n, h], k[n, h], v[n, h], a[n, h], g[n, h], scale, gq[n, h],
                           gk[n, h], gv[n, h])


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, causal: bool,
              drop: np.ndarray | None, keep_scores: bool
              ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    if drop is not None or keep_scores or (causal and q.shape[2] != k.shape[2]):
        return attention_numpy.attention(q, k, v, scale, causal, drop, keep_scores)
    n, h, tq, _ = q.shape
    a = np.empty((n, h, tq, k.shape[2]), q.dtype)
    c = np.empty((n, h, tq, v.shape[3]), q.dtype)
    _scores(q, k, float(scale), causal, a)
    np.exp(a, out=a)
    _context(a, v, c)
    return None, a, c


def attention_backward(q: np.ndarray, k: np.ndarray, v: np.ndarray, attn: np.ndarray,
                       drop: np.ndarray | None, g_ctx: np.ndarray, scale: float,
                       keep_grad_attention: bool
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    if drop is not None or keep_grad_attention or not attn.flags.c_contiguous:
        return attention_numpy.attention_backward(q, k, v, attn, drop, g_ctx, scale,
                                                  keep_grad_attention)
    gq, gk, gv = np.empty(q.shape, q.dtype), np.empty(k.shape, q.dtype), np.empty(v.shape,
                                                                                  q.dtype)
    _backward(q, k, v, attn, g_ctx, float(scale), gq, gk, gv)
    return gq, gk, gv, None


# layer normalisation over the last axis, rows (R, D) -------------------------------------
@jit
def _norm_rows(x: Arr, gamma: Arr, beta: Arr, eps: float, y: Arr, x_hat: Arr, rstd: Arr,
               lo: int, hi: int) -> None:
    d = x.shape[1]
    inv_d = x.dtype.type(1.0 / d)
    for r in range(lo, hi):
        xr, hr, yr = x[r], x_hat[r], y[r]
        total = x.dtype.type(0.0)
        for j in range(d):
            total += xr[j]
        mu = total * inv_d
        var = x.dtype.type(0.0)
        for j in range(d):
            c = xr[j] - mu
            hr[j] = c
            var += c * c
        rs = x.dtype.type(1.0) / np.sqrt(var * inv_d + x.dtype.type(eps))
        rstd[r] = rs
        for j in range(d):
            h = hr[j] * rs
            hr[j] = h
            yr[j] = h * gamma[j] + beta[j]


@jit
def _norm_back_rows(g: Arr, x_hat: Arr, rstd: Arr, gamma: Arr, dx: Arr, pg: Arr, pb: Arr,
                    lo: int, hi: int) -> None:
    d = g.shape[1]
    inv_d = g.dtype.type(1.0 / d)
    for r in range(lo, hi):
        gr, hr, dr = g[r], x_hat[r], dx[r]
        s1 = g.dtype.type(0.0)
        s2 = g.dtype.type(0.0)
        for j in range(d):
            pg[j] += gr[j] * hr[j]
            pb[j] += gr[j]
            gh = gr[j] * gamma[j]
            s1 += gh
            s2 += gh * hr[j]
        m1, m2, rs = s1 * inv_d, s2 * inv_d, rstd[r]
        for j in range(d):
            dr[j] = rs * (gr[j] * gamma[j] - m1 - hr[j] * m2)


def _last_axis(x: np.ndarray, axes: tuple[int, ...]) -> bool:
    return axes == (x.ndim - 1,) and x.flags.c_contiguous


def layer_norm(x: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None,
               axes: tuple[int, ...], epsilon: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not _last_axis(x, axes):
        return ln_ref.layer_norm(np, x, gamma, beta, axes, epsilon)  # type: ignore[arg-type]
    d = x.shape[-1]
    x2 = x.reshape(-1, d)
    y, x_hat = np.empty_like(x2), np.empty_like(x2)
    rstd = np.empty(x2.shape[0], x.dtype)
    scale = np.ones(d, x.dtype) if gamma is None else gamma.reshape(d)
    shift = np.zeros(d, x.dtype) if beta is None else beta.reshape(d)
    _norm_rows(x2, scale, shift, float(epsilon), y, x_hat, rstd, 0, x2.shape[0])
    return (y.reshape(x.shape), x_hat.reshape(x.shape),
            rstd.reshape(x.shape[:-1] + (1,)))


def layer_norm_backward(grad: np.ndarray, x_hat: np.ndarray, rstd: np.ndarray,
                        gamma: np.ndarray | None, axes: tuple[int, ...]
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not (_last_axis(grad, axes) and x_hat.flags.c_contiguous and rstd.flags.c_contiguous):
        return ln_ref.layer_norm_backward(np, grad, x_hat, rstd, gamma, axes)  # type: ignore
    d = grad.shape[-1]
    g2 = grad.reshape(-1, d)
    dx = np.empty_like(g2)
    pg, pb = np.zeros(d, grad.dtype), np.zeros(d, grad.dtype)
    scale = np.ones(d, grad.dtype) if gamma is None else gamma.reshape(d)
    _norm_back_rows(g2, x_hat.reshape(-1, d), rstd.reshape(-1), scale, dx, pg, pb, 0,
                    g2.shape[0])
    return dx.reshape(grad.shape), pg, pb
