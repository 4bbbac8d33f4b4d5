"""MaxPooling2D and AveragePooling2D on channels-last images.

The layer pads ('same') and crops; the windows are the backend's kernels
(``ops.max_pool2d``, ``ops.sum_pool2d`` and their backward): NumPy reads
non-overlapping windows (stride = pool size, the usual ``MaxPooling2D(2)``) as
strided views of the input, without a copy, and overlapping ones through ``im2col``;
MLX copies the input once into window-major order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.base import Layer, check_rank
from nntui.engine.layers.conv import Pads, check_padding, crop, pair, window_geometry


class _Pooling2D(Layer):
    """Shared arguments and padding; subclasses reduce each window through a backend kernel.

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

    def _padded(self, x: Array, fill: float) -> Array:
        """x with 'same' padding of value ``fill``; keeps the geometry for backward."""
        ops, (_, h, w, _) = self.ops, x.shape
        pads, (oh, ow) = window_geometry(self, (h, w), self.pool_size, self.strides, self.padding)
        self._geom = (pads, oh, ow)
        if pads != ((0, 0), (0, 0)):
            x = ops.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])  # (N, Hp, Wp, C)
            if fill != 0.0:
                x = ops.where(self._inside(h, w, pads), x, fill)
        self._xp_shape = tuple(x.shape)
        return x

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
    winner's slot u·pw + v inside each window, shape (N, OH, OW, C), stored as
    floats (the backend's dtype) so both backends build it the same way.

    Example:
        >>> MaxPooling2D(2)  # (N, 28, 28, 8) -> (N, 14, 14, 8)
    """

    formula = "a = max over each pool window"

    def forward(self, x: Array, training: bool = False) -> Array:
        ops = self.ops
        best, self._argmax = ops.max_pool2d(self._padded(x, float("-inf")), self.pool_size,
                                            self.strides)
        if self._trace is not None:
            self._record("argmax", ops.astype(self._argmax, ops.dtype))
        return best

    def backward(self, grad_out: Array) -> Array:
        dx = self.ops.max_pool2d_backward(grad_out, self._argmax, self._xp_shape,
                                          self.pool_size, self.strides)
        return crop(dx, self._geom[0])


class AveragePooling2D(_Pooling2D):
    """out[n, i, j, c] = mean of x over the window's real pixels.

    With ``padding="same"`` the padded cells are not counted (Keras/TF,
    ``count_include_pad=False``): an edge window of 2 real pixels divides by 2.

    Example:
        >>> AveragePooling2D(2)  # (N, 28, 28, 8) -> (N, 14, 14, 8)
    """

    formula = "a = mean over each pool window (real pixels only)"

    def forward(self, x: Array, training: bool = False) -> Array:
        total = self.ops.sum_pool2d(self._padded(x, 0.0), self.pool_size, self.strides)
        pads, oh, ow = self._geom
        self._count = self._counts(x.shape[1], x.shape[2], pads, oh, ow)
        return total / self._count

    def backward(self, grad_out: Array) -> Array:
        share = grad_out / self._count  # (N, OH, OW, C): each real pixel of a window gets this
        dx = self.ops.sum_pool2d_backward(share, self._xp_shape, self.pool_size, self.strides)
        return crop(dx, self._geom[0])

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
