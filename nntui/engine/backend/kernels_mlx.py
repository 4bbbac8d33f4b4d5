"""The MLX backend's kernels: each formula of ``base.py``'s kernel section in plain mx ops.

MLX is lazy, so a kernel written as separate operations still runs as one graph (and
arrays are immutable: every kernel returns new arrays). Mixed into ``MlxBackend``.
"""

from __future__ import annotations

from typing import Any

import mlx.core as mx
import numpy as np

from nntui.engine.backend import layer_norm
from nntui.engine.backend.base import Array, Shape

Pair = tuple[int, int]


class MlxKernels:
    """Kernel methods of :class:`~nntui.engine.backend.mlx.MlxBackend` (formulas in base.py)."""

    # convolution helpers ---------------------------------------------------------
    def im2col(self, x: Array, kh: int, kw: int, sh: int, sw: int) -> Array:
        """Patches of a padded (N, H, W, C) input as (N, OH, OW, kh*kw*C), in (kh, kw, C) order."""
        n, h, w, c = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        # element strides of a row-contiguous (N, H, W, C); as_strided sees x as row-contiguous
        s0, s1, s2 = h * w * c, w * c, c
        win = mx.as_strided(x, (n, oh, ow, kh, kw, c), (s0, s1 * sh, s2 * sw, s1, s2, 1))
        return mx.reshape(win, (n, oh, ow, kh * kw * c))  # (N, OH, OW, kh, kw, C) -> rows

    def col2im(self, cols: Array, x_shape: Shape, kh: int, kw: int, sh: int, sw: int) -> Array:
        """Adjoint of :meth:`im2col`: sums patch gradients back into a padded input.

        Each of the kh*kw patch positions is spread to its strided grid (zeros between
        samples when the stride is > 1) and padded into place; no scatter needed.
        """
        n, h, w, c = x_shape
        oh, ow = cols.shape[1], cols.shape[2]
        cols6 = mx.reshape(cols, (n, oh, ow, kh, kw, c))
        dx = None
        for i in range(kh):
            for j in range(kw):
                part = _dilate(cols6[:, :, :, i, j, :], sh, sw)  # (N, sh*(oh-1)+1, sw*(ow-1)+1, C)
                ph, pw = part.shape[1], part.shape[2]
                part = mx.pad(part, [(0, 0), (i, h - i - ph), (j, w - j - pw), (0, 0)])
                dx = part if dx is None else dx + part
        return dx

    # optimizers -------------------------------------------------------------------
    def sgd_update(self, param: Array, grad: Array, m: Array | None, lr: float,
                   momentum: float, nesterov: bool) -> tuple[Array, Array | None]:
        if m is None:
            return param - grad * lr, None
        m = m * momentum - grad * lr
        step = m * momentum - grad * lr if nesterov else m
        return param + step, m

    def rmsprop_update(self, param: Array, grad: Array, v: Array, m: Array | None, lr: float,
                       rho: float, momentum: float, epsilon: float
                       ) -> tuple[Array, Array, Array | None]:
        v = v * rho + (grad * grad) * (1.0 - rho)
        inc = (grad * lr) / mx.sqrt(v + epsilon)
        if m is not None:
            m = m * momentum + inc
            inc = m
        return param - inc, v, m

    def adam_update(self, param: Array, grad: Array, m: Array, v: Array, alpha: float,
                    beta_1: float, beta_2: float, epsilon: float) -> tuple[Array, Array, Array]:
        m = m + (grad - m) * (1.0 - beta_1)
        v = v + (grad * grad - v) * (1.0 - beta_2)
        return param - (m * alpha) / (mx.sqrt(v) + epsilon), m, v

    def squared_norm(self, x: Array) -> float:
        return float(np.asarray(mx.sum(x * x)))

    # activations, convolution and pooling -------------------------------------------
    def relu_backward(self, grad: Array, z: Array) -> Array:
        return grad * (z > 0)

    def bias_add(self, z: Array, bias: Array) -> Array:
        return z + bias

    def conv2d_input_grad(self, dz: Array, kernel: Array, x_shape: Shape,
                          strides: Pair) -> Array:
        kh, kw, c, f = kernel.shape
        n, oh, ow, _ = dz.shape
        # (N*OH*OW, F) @ (F, kh*kw*C) -> patch gradients, summed back by col2im
        dcols = mx.reshape(dz, (n * oh * ow, f)) @ mx.reshape(kernel, (kh * kw * c, f)).T
        return self.col2im(mx.reshape(dcols, (n, oh, ow, kh * kw * c)), x_shape, kh, kw,
                           *strides)

    def _slots(self, x: Array, pool: Pair, strides: Pair) -> list[Array]:
        """The ph·pw window slots (N, OH, OW, C), row-major (u, v) order, one copy."""
        (ph, pw), (sh, sw) = pool, strides
        n, h, w, c = x.shape
        oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
        if (sh, sw) == (ph, pw):  # non-overlapping: a reshape (rows/cols past OH*ph unused)
            x = mx.reshape(x[:, :oh * ph, :ow * pw, :], (n, oh, ph, ow, pw, c))
            x = mx.transpose(x, (2, 4, 0, 1, 3, 5))  # (ph, pw, N, OH, OW, C)
        else:
            x = mx.reshape(self.im2col(x, ph, pw, sh, sw), (n, oh, ow, ph * pw, c))
            x = mx.transpose(x, (3, 0, 1, 2, 4))  # (ph*pw, N, OH, OW, C)
        x = mx.reshape(x, (ph * pw, n, oh, ow, c))
        return [x[k] for k in range(ph * pw)]

    def _from_slots(self, parts: list[Array], x_shape: Shape, pool: Pair,
                    strides: Pair) -> Array:
        """Adjoint of :meth:`_slots`: ph·pw gradients (N, OH, OW, C) -> dL/dx."""
        (ph, pw), (sh, sw) = pool, strides
        n, h, w, c = x_shape
        oh, ow = parts[0].shape[1], parts[0].shape[2]
        if (sh, sw) != (ph, pw):  # overlapping: col2im sums what several windows send
            d = mx.reshape(mx.stack(parts, axis=3), (n, oh, ow, ph * pw * c))
            return self.col2im(d, x_shape, ph, pw, sh, sw)
        rows = [mx.stack(parts[u * pw:(u + 1) * pw], axis=3) for u in range(ph)]
        d = mx.reshape(mx.stack(rows, axis=2), (n, oh * ph, ow * pw, c))
        if (oh * ph, ow * pw) != (h, w):  # rows/cols past the last window get zero
            d = mx.pad(d, [(0, 0), (0, h - oh * ph), (0, w - ow * pw), (0, 0)])
        return d

    def max_pool2d(self, x: Array, pool: Pair, strides: Pair) -> tuple[Array, Array]:
        parts = self._slots(x, pool, strides)
        best, idx = parts[0], mx.zeros(parts[0].shape, x.dtype)
        for slot, part in enumerate(parts[1:], start=1):
            better = part > best  # strict: a tie keeps the earlier slot
            best = mx.where(better, part, best)
            idx = mx.where(better, float(slot), idx)
        return best, idx

    def max_pool2d_backward(self, grad: Array, argmax: Array, x_shape: Shape, pool: Pair,
                            strides: Pair) -> Array:
        zero = mx.zeros_like(grad)
        parts = [mx.where(argmax == float(k), grad, zero) for k in range(pool[0] * pool[1])]
        return self._from_slots(parts, x_shape, pool, strides)

    def sum_pool2d(self, x: Array, pool: Pair, strides: Pair) -> Array:
        parts = self._slots(x, pool, strides)
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    def sum_pool2d_backward(self, grad: Array, x_shape: Shape, pool: Pair,
                            strides: Pair) -> Array:
        return self._from_slots([grad] * (pool[0] * pool[1]), x_shape, pool, strides)

    # LSTM, σ gates and tanh ---------------------------------------------------------
    def lstm_forward(self, z: Array, recurrent_kernel: Array
                     ) -> tuple[Array, Array, Array, Array]:
        t_len, n, k = z.shape
        u = k // 4
        h = c = mx.zeros((n, u), z.dtype)
        steps: list[list[Any]] = [[], [], [], []]
        for t in range(t_len):
            zt = z[t] + h @ recurrent_kernel  # (N, u) @ (u, 4u) -> (N, 4u): blocks i f c o
            i, f = mx.sigmoid(zt[:, :u]), mx.sigmoid(zt[:, u:2 * u])
            g, o = mx.tanh(zt[:, 2 * u:3 * u]), mx.sigmoid(zt[:, 3 * u:])
            c = f * c + i * g
            tc = mx.tanh(c)
            h = o * tc
            for acc, value in zip(steps, (mx.concatenate([i, f, g, o], axis=1), c, tc, h),
                                  strict=True):
                acc.append(value)
        a, cs, tcs, hs = (mx.stack(acc, axis=0) for acc in steps)
        return a, cs, tcs, hs

    def lstm_backward(self, a: Array, c: Array, tanh_c: Array, recurrent_kernel: Array,
                      dh_last: Array, dh_steps: Array | None) -> tuple[Array, Array]:
        t_len, n, k = a.shape
        u = k // 4
        dh = dh_last if dh_steps is None else dh_last + dh_steps[-1]
        dc = mx.zeros_like(dh)
        u_t = recurrent_kernel.T
        dzs: list[Array] = []
        dhs: list[Array] = []
        for t in range(t_len - 1, -1, -1):
            i, f, g, o = a[t, :, :u], a[t, :, u:2 * u], a[t, :, 2 * u:3 * u], a[t, :, 3 * u:]
            tc, c_prev = tanh_c[t], c[t - 1] if t else mx.zeros_like(dh)
            dhs.append(dh)
            dc = dc + dh * o * (1.0 - tc * tc)  # through h_t = o ⊙ tanh(c_t)
            dz = mx.concatenate([dc * g * i * (1.0 - i), dc * c_prev * f * (1.0 - f),
                                 dc * i * (1.0 - g * g), dh * tc * o * (1.0 - o)], axis=1)
            dzs.append(dz)
            dc = dc * f
            if t:
                dh = dz @ u_t  # (N, 4u) @ (4u, u) -> (N, u)
                if dh_steps is not None:
                    dh = dh + dh_steps[t - 1]
        return mx.stack(dzs[::-1], axis=0), mx.stack(dhs[::-1], axis=0)

    # layer normalisation (the reference formulas, in MLX's lazy graph) ------------------
    def layer_norm(self, x: Array, gamma: Array | None, beta: Array | None,
                   axes: tuple[int, ...], epsilon: float) -> tuple[Array, Array, Array]:
        return layer_norm.layer_norm(self, x, gamma, beta, axes, epsilon)

    def layer_norm_backward(self, grad: Array, x_hat: Array, rstd: Array, gamma: Array | None,
                            axes: tuple[int, ...]) -> tuple[Array, Array, Array]:
        return layer_norm.layer_norm_backward(self, grad, x_hat, rstd, gamma, axes)

    # attention -------------------------------------------------------------------
    def attention(self, q: Array, k: Array, v: Array, scale: float, causal: bool,
                  drop: Array | None, keep_scores: bool) -> tuple[Array | None, Array, Array]:
        s = mx.matmul(q, mx.swapaxes(k, -1, -2)) * scale       # (N, H, T, T)
        masked = s
        if causal:
            t = s.shape[-1]
            masked = mx.where(mx.tril(mx.ones((t, t), dtype=mx.bool_)), s, -1e9)
        a = mx.softmax(masked, axis=-1, precise=True)
        used = a if drop is None else a * drop
        return (s if keep_scores else None), a, mx.matmul(used, v)

    def attention_backward(self, q: Array, k: Array, v: Array, attn: Array,
                           drop: Array | None, g_ctx: Array, scale: float,
                           keep_grad_attention: bool) -> tuple[Array, Array, Array, Array | None]:
        used = attn if drop is None else attn * drop
        g_v = mx.matmul(mx.swapaxes(used, -1, -2), g_ctx)
        g_attn = mx.matmul(g_ctx, mx.swapaxes(v, -1, -2))
        if drop is not None:
            g_attn = g_attn * drop
        g_s = attn * (g_attn - mx.sum(g_attn * attn, axis=-1, keepdims=True))
        g_q = mx.matmul(g_s, k) * scale
        g_k = mx.matmul(mx.swapaxes(g_s, -1, -2), q) * scale
        return g_q, g_k, g_v, (g_attn if keep_grad_attention else None)


def _dilate(x: Array, sh: int, sw: int) -> Array:
    """(N, A, B, C) -> (N, sh*(A-1)+1, sw*(B-1)+1, C) with x at every sh-th / sw-th place."""
    if sh == 1 and sw == 1:
        return x
    n, a, b, c = x.shape
    x = mx.pad(mx.reshape(x, (n, a, 1, b, 1, c)), [(0, 0), (0, 0), (0, sh - 1), (0, 0),
                                                   (0, sw - 1), (0, 0)])
    x = mx.reshape(x, (n, a * sh, b * sw, c))
    return x[:, : sh * (a - 1) + 1, : sw * (b - 1) + 1, :]
