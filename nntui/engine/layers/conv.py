"""Conv2D on channels-last images, as one matrix product per layer (im2col)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.activations import ActivationFn, check_activation_name, get_activation
from nntui.engine.layers.base import Layer, check_rank
from nntui.errors import ConfigError, ShapeError

PADDINGS = ("valid", "same")
Pads = tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))


def pair(value: Any, arg: str) -> tuple[int, int]:
    """An int or a 2-tuple of positive ints, as Keras's ``kernel_size`` / ``strides``.

    Raises:
        ConfigError: not one or two positive integers; the message quotes the value.
    """
    vals = (value, value) if isinstance(value, (int, np.integer)) else tuple(value or ())
    if len(vals) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in vals
    ):
        raise ConfigError(
            f"{arg} must be a positive integer or a tuple of 2 positive integers. "
            f"Received: {arg}={value!r}"
        )
    return int(vals[0]), int(vals[1])


def check_padding(padding: Any) -> str:
    """``"valid"`` or ``"same"`` (any case); ConfigError listing the choices otherwise."""
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ConfigError(
            f"padding must be one of {', '.join(map(repr, PADDINGS))}. "
            f"Received: padding={padding!r}"
        )
    return padding.lower()


def same_pads(size: int, k: int, s: int) -> tuple[int, int]:
    """TF/Keras 'same' split: total = max((ceil(size/s) − 1)·s + k − size, 0), extra after."""
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def window_geometry(layer: Layer, hw: tuple[int, int], kernel: tuple[int, int],
                    strides: tuple[int, int], padding: str) -> tuple[Pads, tuple[int, int]]:
    """Padding and output size (OH, OW) of a sliding window over an (H, W) image.

    Raises:
        ShapeError: the window is larger than the (padded) image; names layer and shapes.
    """
    if padding == "same":
        pads: Pads = (same_pads(hw[0], kernel[0], strides[0]),
                      same_pads(hw[1], kernel[1], strides[1]))
    else:
        pads = ((0, 0), (0, 0))
    padded = (hw[0] + sum(pads[0]), hw[1] + sum(pads[1]))
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise ShapeError(
            f"{type(layer).__name__} {layer.name!r}: window {kernel} is larger than the "
            f"{padding}-padded input {padded} (input height, width {hw}). Use a smaller "
            "kernel_size/pool_size, padding='same', or fewer pooling layers before it."
        )
    out = ((padded[0] - kernel[0]) // strides[0] + 1, (padded[1] - kernel[1]) // strides[1] + 1)
    return pads, out


class Conv2D(Layer):
    """a = g(z), z[n, i, j, f] = Σ_{u, v, c} x[n, i·s + u, j·s + v, c] · W[u, v, c, f] + b[f].

    Computed as one matrix product: the (padded) input's patches become rows
    (``im2col``), so z = cols @ W with cols (N·OH·OW, kh·kw·C) and W (kh·kw·C, F).

    Args:
        filters: number of output channels F (positive integer).
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ceil(H / s), TF's split).
        activation: activation name or None (linear).
        use_bias: add the bias b.
        kernel_initializer / bias_initializer: Keras names; defaults glorot_uniform / zeros.
        kernel_regularizer / bias_regularizer: ``"l1"``, ``"l2"`` or ``regularizers.L2(0.01)``.

    Shapes: input (N, H, W, C) channels-last; kernel (kh, kw, C, F), bias (F,) as in Keras.

    Example:
        >>> Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1))
    """

    formula = "z = Σ x[i·s+u, j·s+v, c] · W[u, v, c, f] + b[f]"
    skip_input_grad = False  # the model sets it when nothing needs dL/dx (the first layer)

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(filters, (int, np.integer)) or isinstance(filters, bool) or filters <= 0:
            raise ConfigError(f"filters must be a positive integer. Received: filters={filters!r}")
        check_activation_name(activation)
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = check_padding(padding)
        self.activation_name = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activation: ActivationFn | None = None

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 3, "Conv2D needs images (batch, height, width, channels); "
                   "reshape x to (N, 28, 28, 1) for 28×28 grey images.")
        self.compute_output_shape(input_shape)  # raises before any weight is made
        kh, kw = self.kernel_size
        self.add_weight("kernel", (kh, kw, input_shape[2], self.filters),
                        self.kernel_initializer, rng, self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer, rng,
                            self.bias_regularizer)
        self.activation = get_activation(self.activation_name, self.ops)
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _, (oh, ow) = window_geometry(self, (input_shape[0], input_shape[1]), self.kernel_size,
                                      self.strides, self.padding)
        return (oh, ow, self.filters)

    def forward(self, x: Array, training: bool = False) -> Array:
        ops, (kh, kw), (sh, sw) = self.ops, self.kernel_size, self.strides
        n, h, w, c = x.shape
        pads, (oh, ow) = window_geometry(self, (h, w), self.kernel_size, self.strides,
                                         self.padding)
        if pads != ((0, 0), (0, 0)):
            x = ops.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])  # (N, H+pt+pb, W+pl+pr, C)
        self._pads, self._xp_shape = pads, tuple(x.shape)
        cols = ops.im2col(x, kh, kw, sh, sw)  # (N, OH, OW, kh*kw*C)
        self._cols = ops.reshape(cols, (n * oh * ow, kh * kw * c))
        w2 = ops.reshape(self.params["kernel"], (kh * kw * c, self.filters))
        z = self._cols @ w2  # (N*OH*OW, kh*kw*C) @ (kh*kw*C, F) -> (N*OH*OW, F)
        z = ops.reshape(z, (n, oh, ow, self.filters))
        if self.use_bias:
            z = ops.bias_add(z, self.params["bias"])  # z is fresh: NumPy adds in place
        self._record("z", z)
        a = self.activation.forward(z)  # type: ignore[union-attr]
        if self.unit_mask is not None:  # (N, OH, OW, F) * (F,): switched-off filters give 0
            a = a * self.unit_mask
        self._record("feature_maps", a)
        return a

    def backward(self, grad_out: Array) -> Array:
        if self.unit_mask is not None:
            grad_out = grad_out * self.unit_mask
        return self.backward_from_z(self.activation.backward(grad_out))  # type: ignore[union-attr]

    def backward_from_z(self, grad_z: Array) -> Array:
        """Backward from dL/dz: dW = colsᵀ·dz, db = Σ dz, dx = col2im(dz·Wᵀ) cropped."""
        self._record("grad_z", grad_z)
        ops = self.ops
        n, oh, ow, f = grad_z.shape
        dz = ops.reshape(grad_z, (n * oh * ow, f))
        kernel = self.params["kernel"]
        if self.trainable:  # a frozen layer's weight gradients would be thrown away
            # (kh*kw*C, N*OH*OW) @ (N*OH*OW, F) -> (kh*kw*C, F) -> (kh, kw, C, F)
            self._accumulate("kernel", ops.reshape(self._cols.T @ dz, tuple(kernel.shape)))
            if self.use_bias:
                self._accumulate("bias", ops.sum(dz, axis=0))
        if self.skip_input_grad:
            return None  # the first layer: no dcols matmul, no col2im
        dx = ops.conv2d_input_grad(grad_z, kernel, self._xp_shape, self.strides)  # (N, Hp, Wp, C)
        return crop(dx, self._pads)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "activation": self.activation_name,
                "use_bias": self.use_bias}


def crop(x: Array, pads: Pads) -> Array:
    """Drop the rows and columns that padding added to an (N, Hp, Wp, C) array."""
    (t, b), (left, r) = pads
    if t == b == left == r == 0:
        return x
    return x[:, t:x.shape[1] - b, left:x.shape[2] - r, :]
