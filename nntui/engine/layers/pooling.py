"""MaxPooling2D and AveragePooling2D on channels-last images.

Both view the (padded) input as windows (N, OH, OW, ph·pw, C), reduce over the
window axis, and send gradients back through the same view. When the stride
equals the pool size (the usual ``MaxPooling2D(2)``) the windows are a reshape
of the input; otherwise they are ``im2col`` patches and backward uses ``col2im``.
Neither runs a Python loop over the batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer, check_rank
from nntui.engine.layers.conv import Pads, check_padding, crop, pair, window_geometry


class _Pooling2D(Layer):
    """Shared window bookkeeping; subclasses write ``_reduce`` and ``_reduce_backward``.

    Args:
        pool_size: int or (ph, pw).
        strides: int or (sh, sw); None means ``pool_size`` (Keras's default).
        padding: ``"valid"`` or ``"same"`` (output size ceil(H / s), TF's split).
    """

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.padding = check_padding(padding)

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        name = type(self).__name__
        check_rank(self, input_shape, 3, f"{name} needs images (batch, height, width, "
                   "channels); reshape x to (N, 28, 28, 1) for 28×28 grey images.")
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _, (oh, ow) = window_geometry(self, (input_shape[0], input_shape[1]), self.pool_size,
                                      self.strides, self.padding)
        return (oh, ow, input_shape[2])

    # windows -------------------------------------------------------------------
    def _windows(self, x: Array, fill: float) -> Array:
        """(N, H, W, C) -> (N, OH, OW, ph*pw, C), window elements in row-major (u, v) order."""
        ops, (ph, pw), (sh, sw) = self.ops, self.pool_size, self.strides
        n, h, w, c = x.shape
        pads, (oh, ow) = window_geometry(self, (h, w), self.pool_size, self.strides, self.padding)
        self._geom = (tuple(x.shape), pads, oh, ow)
        if pads != ((0, 0), (0, 0)):
            x = ops.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])  # (N, Hp, Wp, C)
            if fill != 0.0:
                x = ops.where(self._inside(h, w, pads), x, fill)
        self._xp_shape = tuple(x.shape)
        if (sh, sw) == (ph, pw):  # non-overlapping: a reshape (rows/cols past OH*ph unused)
            x = x[:, :oh * ph, :ow * pw, :]
            x = ops.reshape(x, (n, oh, ph, ow, pw, c))
            x = ops.transpose(x, (0, 1, 3, 2, 4, 5))  # (N, OH, OW, ph, pw, C)
        else:
            x = ops.im2col(x, ph, pw, sh, sw)  # (N, OH, OW, ph*pw*C)
        return ops.reshape(x, (n, oh, ow, ph * pw, c))

    def _unwindows(self, dwin: Array) -> Array:
        """Adjoint of :meth:`_windows`: (N, OH, OW, ph*pw, C) -> dL/dx (N, H, W, C)."""
        ops, (ph, pw), (sh, sw) = self.ops, self.pool_size, self.strides
        _, pads, oh, ow = self._geom
        n, hp, wp, c = self._xp_shape
        if (sh, sw) == (ph, pw):
            d = ops.reshape(dwin, (n, oh, ow, ph, pw, c))
            d = ops.transpose(d, (0, 1, 3, 2, 4, 5))  # (N, OH, ph, OW, pw, C)
            d = ops.reshape(d, (n, oh * ph, ow * pw, c))
            if (oh * ph, ow * pw) != (hp, wp):  # rows/cols no window touched get zero
                d = ops.pad(d, [(0, 0), (0, hp - oh * ph), (0, wp - ow * pw), (0, 0)])
        else:
            d = ops.col2im(ops.reshape(dwin, (n, oh, ow, ph * pw * c)), self._xp_shape,
                           ph, pw, sh, sw)
        return crop(d, pads)

    def _inside(self, h: int, w: int, pads: Pads) -> Array:
        """(1, Hp, Wp, 1) mask: True on real pixels, False on padding."""
        mask = np.pad(np.ones((1, h, w, 1), bool), [(0, 0), pads[0], pads[1], (0, 0)])
        return self.ops.asarray(mask)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """out[n, i, j, c] = max over the window of x; 'same' padding pads with −inf.

    The gradient goes to the window's winner only (ties: the first in row-major
    window order, as TF/Keras). ``argmax`` is recorded for the inspector: the
    winner's index u·pw + v inside each window, shape (N, OH, OW, C).

    Example:
        >>> MaxPooling2D(2)  # (N, 28, 28, 8) -> (N, 14, 14, 8)
    """

    formula = "a = max over each pool window"

    def forward(self, x: Array, training: bool = False) -> Array:
        win = self._windows(x, float("-inf"))  # (N, OH, OW, k, C)
        self._argmax = self.ops.argmax(win, axis=3)  # (N, OH, OW, C)
        self._record("argmax", self._argmax)
        return self.ops.max(win, axis=3)

    def backward(self, grad_out: Array) -> Array:
        ops = self.ops
        k = self.pool_size[0] * self.pool_size[1]
        slot = ops.reshape(ops.arange(k), (k, 1))  # (k, 1) broadcasts against (N, OH, OW, 1, C)
        won = ops.expand_dims(self._argmax, 3) == slot  # (N, OH, OW, k, C)
        dwin = ops.where(won, ops.expand_dims(grad_out, 3), 0.0)
        return self._unwindows(dwin)


class AveragePooling2D(_Pooling2D):
    """out[n, i, j, c] = mean of x over the window's real pixels.

    With ``padding="same"`` the padded cells are not counted (Keras/TF,
    ``count_include_pad=False``): an edge window of 2 real pixels divides by 2.

    Example:
        >>> AveragePooling2D(2)  # (N, 28, 28, 8) -> (N, 14, 14, 8)
    """

    formula = "a = mean over each pool window (real pixels only)"

    def forward(self, x: Array, training: bool = False) -> Array:
        win = self._windows(x, 0.0)  # (N, OH, OW, k, C)
        _, pads, oh, ow = self._geom
        self._count = self._counts(x.shape[1], x.shape[2], pads, oh, ow)
        return self.ops.sum(win, axis=3) / self._count

    def backward(self, grad_out: Array) -> Array:
        ops = self.ops
        n, oh, ow, c = grad_out.shape
        share = ops.expand_dims(grad_out / self._count, 3)  # (N, OH, OW, 1, C)
        k = self.pool_size[0] * self.pool_size[1]
        return self._unwindows(ops.broadcast_to(share, (n, oh, ow, k, c)))

    def _counts(self, h: int, w: int, pads: Pads, oh: int, ow: int) -> Array | float:
        """Real pixels per window: a (1, OH, OW, 1) array, or a number when all are full."""
        (ph, pw), (sh, sw) = self.pool_size, self.strides
        if pads == ((0, 0), (0, 0)):
            return float(ph * pw)
        start_h = np.arange(oh) * sh - pads[0][0]  # first input row of each window
        start_w = np.arange(ow) * sw - pads[1][0]
        rows = np.minimum(start_h + ph, h) - np.maximum(start_h, 0)
        cols = np.minimum(start_w + pw, w) - np.maximum(start_w, 0)
        counts = np.outer(rows, cols).reshape(1, oh, ow, 1)
        return self.ops.asarray(counts, self.ops.dtype)
