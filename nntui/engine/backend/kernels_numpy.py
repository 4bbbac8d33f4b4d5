"""The NumPy backend's kernels in pure NumPy: the reference and the fallback.

A kernel is a formula a layer or an optimizer names (``ops.adam_update``,
``ops.lstm_forward``, ...) with the work done in place: ``out=`` into arrays made once
per call, never a temporary per element-wise operation. ``kernels_numba.py`` holds
compiled versions of the hot ones (one pass over memory instead of one per operation),
tested equal to these; ``NumpyBackend`` runs those when numba is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.lib.stride_tricks import as_strided

CHUNK = 32768  # elements per piece of an in-place update: its ~6 arrays stay in L2
Arrays = tuple[np.ndarray, ...]


# optimizers: one parameter array, updated in place with its state ----------------------
def _pieces(*arrays: np.ndarray) -> Iterator[Arrays]:
    """L2-sized pieces (views) of equally shaped arrays: an update's ~12 passes then read
    pieces still in cache instead of streaming whole arrays (~25 % faster, 784×256)."""
    size = arrays[0].size
    if size <= CHUNK or not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for i in range(0, size, CHUNK):
        yield tuple(f[i:i + CHUNK] for f in flat)


def _scratch(like: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = min(like.size, CHUNK)
    return np.empty(n, like.dtype), np.empty(n, like.dtype)


def _like(buf: np.ndarray, a: np.ndarray) -> np.ndarray:
    return buf[:a.size].reshape(a.shape)


def sgd_update(p: np.ndarray, g: np.ndarray, m: np.ndarray | None, lr: float,
               momentum: float, nesterov: bool) -> None:
    """m = μ·m − η·g;  p += m  (Nesterov: p += μ·m − η·g);  p −= η·g without momentum."""
    t_buf, d_buf = _scratch(p)
    for piece in _pieces(p, g) if m is None else _pieces(p, g, m):
        pp, gg = piece[0], piece[1]
        g_lr = np.multiply(gg, lr, out=_like(t_buf, gg))
        if m is None:
            pp -= g_lr
            continue
        mm = piece[2]
        mm *= momentum
        mm -= g_lr
        if nesterov:
            step = np.multiply(mm, momentum, out=_like(d_buf, mm))
            step -= g_lr
            pp += step
        else:
            pp += mm


def rmsprop_update(p: np.ndarray, g: np.ndarray, v: np.ndarray, m: np.ndarray | None,
                   lr: float, rho: float, momentum: float, epsilon: float) -> None:
    """v = ρ·v + (1−ρ)·g²;  inc = η·g / sqrt(v + ε) (+ μ·m, kept in m);  p −= inc."""
    t_buf, d_buf = _scratch(p)
    for piece in _pieces(p, g, v) if m is None else _pieces(p, g, v, m):
        pp, gg, vv = piece[:3]
        t, d = _like(t_buf, gg), _like(d_buf, gg)
        vv *= rho
        np.multiply(gg, gg, out=t)
        t *= 1.0 - rho
        vv += t
        np.add(vv, epsilon, out=d)
        np.sqrt(d, out=d)
        np.multiply(gg, lr, out=t)
        t /= d
        if m is not None:
            mm = piece[3]
            mm *= momentum
            mm += t
            t = mm
        pp -= t


def adam_update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, alpha: float,
                beta_1: float, beta_2: float, epsilon: float) -> None:
    """m += (g − m)(1−β1);  v += (g² − v)(1−β2);  p −= α·m / (sqrt(v) + ε)."""
    t_buf, d_buf = _scratch(p)
    for pp, gg, mm, vv in _pieces(p, g, m, v):
        t, d = _like(t_buf, gg), _like(d_buf, gg)
        np.subtract(gg, mm, out=t)
        t *= 1.0 - beta_1
        mm += t
        np.multiply(gg, gg, out=t)
        t -= vv
        t *= 1.0 - beta_2
        vv += t
        np.sqrt(vv, out=d)
        d += epsilon
        np.multiply(mm, alpha, out=t)
        t /= d
        pp -= t


# pooling (on a padded input; stride = pool size reads strided views, no copy) ----------
Pair = tuple[int, int]


def pool_slots(x: np.ndarray, pool: Pair, strides: Pair) -> list[np.ndarray]:
    """The ph·pw window slots of (N, H, W, C), each (N, OH, OW, C), row-major (u, v) order.

    Non-overlapping windows: views of x (rows and columns past OH·ph / OW·pw are in no
    window); overlapping ones: views of one im2col copy.
    """
    (ph, pw), (sh, sw) = pool, strides
    n, h, w, c = x.shape
    oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    if (sh, sw) != (ph, pw):
        cols = im2col(x, ph, pw, sh, sw).reshape(n, oh, ow, ph * pw, c)
        return [cols[:, :, :, k, :] for k in range(ph * pw)]
    s0, s1, s2, s3 = x.strides
    x6 = as_strided(x, (n, oh, ph, ow, pw, c), (s0, s1 * ph, s1, s2 * pw, s2, s3))
    return [x6[:, :, u, :, v, :] for u in range(ph) for v in range(pw)]


def _from_slots(grad: np.ndarray, x_shape: tuple[int, ...], pool: Pair, strides: Pair,
                fill: Callable[[int, np.ndarray], object]) -> np.ndarray:
    """dL/dx from per-slot gradients: ``fill(k, out)`` writes slot k's (N, OH, OW, C)."""
    (ph, pw), (sh, sw) = pool, strides
    n, oh, ow, c = grad.shape
    if (sh, sw) != (ph, pw):  # overlapping: col2im sums what several windows send to a pixel
        cols = np.empty((n, oh, ow, ph * pw, c), grad.dtype)
        for k in range(ph * pw):
            fill(k, cols[:, :, :, k, :])
        return col2im(cols.reshape(n, oh, ow, ph * pw * c), x_shape, ph, pw, sh, sw)
    exact = (oh * ph, ow * pw) == tuple(x_shape[1:3])  # else pixels in no window get 0
    dx = (np.empty if exact else np.zeros)(x_shape, grad.dtype)
    for k, view in enumerate(pool_slots(dx, pool, strides)):
        fill(k, view)
    return dx


def max_pool(x: np.ndarray, pool: Pair, strides: Pair) -> tuple[np.ndarray, np.ndarray]:
    """Max over each window and the winner's slot u·pw + v (unsigned ints; ties: the first
    in row-major order, as TF/Keras)."""
    parts = pool_slots(x, pool, strides)
    best = parts[0].copy()  # running max (N, OH, OW, C)
    kind = np.min_scalar_type(len(parts) - 1)
    idx, won = np.zeros(best.shape, kind), np.empty(best.shape, kind)
    better = np.empty(best.shape, bool)
    for slot, part in enumerate(parts[1:], start=1):
        np.greater(part, best, out=better)  # strict: a tie keeps the earlier slot
        np.maximum(best, part, out=best)
        # idx = slot where better: slots rise, so a max does it (SIMD, ~6x copyto(where=))
        np.multiply(better, kind.type(slot), out=won)
        np.maximum(idx, won, out=idx)
    return best, idx


def max_pool_backward(grad: np.ndarray, idx: np.ndarray, x_shape: tuple[int, ...], pool: Pair,
                      strides: Pair) -> np.ndarray:
    """Each window's gradient to its winner."""
    return _from_slots(grad, x_shape, pool, strides,
                       lambda k, out: np.multiply(grad, idx == k, out=out))


def sum_pool(x: np.ndarray, pool: Pair, strides: Pair) -> np.ndarray:
    """Sum over each window."""
    parts = pool_slots(x, pool, strides)
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def sum_pool_backward(grad: np.ndarray, x_shape: tuple[int, ...], pool: Pair,
                      strides: Pair) -> np.ndarray:
    """Each window's gradient to every pixel of it."""
    return _from_slots(grad, x_shape, pool, strides, lambda k, out: np.copyto(out, grad))


# activations ---------------------------------------------------------------------------
def relu_backward(grad: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dL/dz = dL/da · [z > 0]."""
    return grad * (z > 0)


# convolution ---------------------------------------------------------------------------
def conv2d_input_grad(dz: np.ndarray, kernel: np.ndarray, x_shape: tuple[int, ...],
                      strides: tuple[int, int]) -> np.ndarray:
    """dL/dx of a padded input: per kernel offset (u, v) one GEMM dz·W[u, v]ᵀ added into
    the pixels that offset saw. The sums of col2im(dz·Wᵀ) without the (N·OH·OW, kh·kw·C)
    matrix and its window-major copy (~3x faster for the reference CNN's second layer)."""
    n, oh, ow, f = dz.shape
    (sh, sw), c = strides, x_shape[3]
    dz2 = dz.reshape(n * oh * ow, f)
    dx = np.zeros(x_shape, dz.dtype)
    for u in range(kernel.shape[0]):
        for v in range(kernel.shape[1]):
            part = dz2 @ kernel[u, v].T  # (N*OH*OW, F) @ (F, C) -> (N*OH*OW, C)
            dx[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw, :] += \
                part.reshape(n, oh, ow, c)
    return dx


def bias_add(z: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """z + bias over the last axis, in place. NumPy broadcasts a short last axis with one
    F-long inner loop per row: for the reference CNN's (64, 26, 26, 8) first layer 0.38 ms,
    against 0.09 ms with the rows of one image row taken together against a tiled bias."""
    f = z.shape[-1]
    if z.ndim >= 3 and f < 64 and z.flags.c_contiguous:
        reps = z.shape[-2]
        wide = z.reshape(-1, reps * f)  # a view: one image row of pixels per row
        wide += np.tile(bias, reps)
    else:
        z += bias
    return z


def im2col(x: np.ndarray, kh: int, kw: int, sh: int, sw: int) -> np.ndarray:
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

def col2im(cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int, sh: int,
           sw: int) -> np.ndarray:
    """Adjoint of :func:`im2col`: sums patch gradients back into a padded input.

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
