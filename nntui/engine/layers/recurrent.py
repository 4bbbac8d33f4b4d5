"""Recurrent layers on (N, T, F) sequences with explicit backpropagation through time.

The three layers share one plan, which is what makes them fast in NumPy:
  * every time step's input is projected at once: (T·N, F) @ (F, k·u), time-major,
    so each step reads a contiguous (N, k·u) slice;
  * one matmul per step serves every gate: h @ recurrent_kernel, (N, u) @ (u, k·u);
  * per-step values stay (N, ·) arrays in lists: backward's elementwise work runs on
    small arrays that sit in cache (on full (T, N, k·u) arrays it was ~3x slower,
    bound by memory), and only dz is stacked, for dW, dU and dx as one matmul each.

``SimpleRNN`` lives here; ``LSTM`` in ``lstm.py`` and ``GRU`` in ``gru.py`` (all three
importable from ``nntui.engine.layers``). Weights use Keras's shapes and gate orders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from nntui.engine.backend.base import Array, Backend, Shape
from nntui.engine.layers.base import Layer, check_rank
from nntui.errors import ConfigError, ShapeError

SEQUENCE_HINT = ("recurrent layers need sequences (batch, time, features); "
                 "reshape x to (N, T, 1) for a single series")


class GateActivation(NamedTuple):
    """An activation whose derivative is written in terms of its output a = f(z),
    so backward needs only the stored outputs of the forward pass."""

    forward: Callable[[Backend, Array], Array]
    derivative: Callable[[Backend, Array], Array]
    symbol: str


def _sigmoid(ops: Backend, z: Array) -> Array:
    # σ(z) = (1 + tanh(z/2)) / 2: four cheap passes, and tanh never overflows
    return ops.tanh(z * 0.5) * 0.5 + 0.5


ACTIVATIONS: dict[str, GateActivation] = {
    "tanh": GateActivation(lambda ops, z: ops.tanh(z), lambda ops, a: 1.0 - a * a, "tanh"),
    "sigmoid": GateActivation(_sigmoid, lambda ops, a: a * (1.0 - a), "σ"),
    "hard_sigmoid": GateActivation(  # Keras 3: relu6(z + 3) / 6
        lambda ops, z: ops.clip(z * (1 / 6) + 0.5, 0.0, 1.0),
        lambda ops, a: ops.where((a > 0) & (a < 1), 1 / 6, 0.0), "hardσ"),
    "relu": GateActivation(lambda ops, z: ops.maximum(z, 0.0),
                           lambda ops, a: ops.where(a > 0, 1.0, 0.0), "relu"),
    "linear": GateActivation(lambda ops, z: z, lambda ops, a: a * 0.0 + 1.0, ""),
}


def get_gate_activation(layer: str, arg: str, spec: Any) -> GateActivation:
    """Resolve an activation name (None means linear) for a recurrent layer.

    Raises:
        ConfigError: a name recurrent layers do not support; the message lists the valid ones.
    """
    key = "linear" if spec is None else spec.lower() if isinstance(spec, str) else None
    if key not in ACTIVATIONS:
        raise ConfigError(f"{layer} {arg} must be one of {', '.join(ACTIVATIONS)}. "
                          f"Received: {arg}={spec!r}")
    return ACTIVATIONS[key]


class Recurrent(Layer):
    """Shared parts of SimpleRNN, LSTM and GRU: arguments, weights, the input projection
    and the weight gradients. A subclass sets ``blocks`` (gate blocks of ``units`` columns)
    and writes ``forward`` and ``backward``.

    Args:
        units: size of the hidden state (positive integer).
        activation: activation of the candidate / hidden state (``"tanh"``).
        use_bias: add the bias.
        return_sequences: output every step's hidden state (N, T, units) instead of
            only the last one (N, units).
        kernel_initializer / recurrent_initializer / bias_initializer: Keras names.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: ``"l1"``, ``"l2"``, ...

    Raises:
        ConfigError: units not a positive integer, or an unsupported activation.
    """

    blocks = 1
    skip_input_grad = False  # the model sets it when nothing needs dL/dx (the first layer)

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 return_sequences: bool = False, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ConfigError(f"units must be a positive integer. Received: units={units!r}")
        self.units = int(units)
        self.activation_name = activation
        self._act = get_gate_activation(type(self).__name__, "activation", activation)
        self.use_bias = bool(use_bias)
        self.return_sequences = bool(return_sequences)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.last_grad_norms: np.ndarray | None = None  # mean ||dL/dh_t|| per step, traced steps
        self._x2: Array = None  # time-major input (T·N, F), cached by forward

    # building ------------------------------------------------------------------
    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 2, SEQUENCE_HINT)
        k = self.blocks * self.units
        self.add_weight("kernel", (input_shape[-1], k), self.kernel_initializer, rng,
                        self.kernel_regularizer)
        self.add_weight("recurrent_kernel", (self.units, k), self.recurrent_initializer, rng,
                        self.recurrent_regularizer)
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_init(), rng,
                            self.bias_regularizer)
        super().build(input_shape, rng)

    def _bias_shape(self) -> Shape:
        return (self.blocks * self.units,)

    def _bias_init(self) -> Any:
        return self.bias_initializer

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    # shared forward and backward pieces ----------------------------------------
    def _project(self, x: Array, bias: Array | None) -> Array:
        """x·W + b for every step at once, time-major: (N, T, F) -> (T, N, k·u)."""
        check_rank(self, tuple(x.shape[1:]), 2, SEQUENCE_HINT)
        n, t, f = x.shape
        want = self.params["kernel"].shape[0]
        if f != want:
            raise ShapeError(
                f"{type(self).__name__} {self.name!r} was built for {want} features per time "
                f"step but received inputs of shape {tuple(x.shape)}")
        ops, w = self.ops, self.params["kernel"]
        x2 = ops.reshape(ops.transpose(x, (1, 0, 2)), (t * n, f))  # (T·N, F), one copy
        if bias is not None:
            # the bias as the weight of a constant-1 input: no full-size add here nor sum in
            # backward, and OpenBLAS leaves its slow path for one feature (F = 1, ~10x)
            x2 = ops.concatenate([x2, ops.ones((t * n, 1))], axis=1)  # (T·N, F+1)
            w = ops.concatenate([w, ops.reshape(bias, (1, w.shape[1]))], axis=0)
        self._x2 = x2
        xw = x2 @ w  # (T·N, F(+1)) @ (F(+1), k·u) -> (T·N, k·u)
        return ops.reshape(xw, (t, n, w.shape[1]))

    def _output(self, hs: list[Array]) -> Array:
        """Per-step hidden states (N, u) -> the layer's output (N, T, u) or (N, u)."""
        return self.ops.stack(hs, axis=1) if self.return_sequences else hs[-1]

    def _grad_hidden(self, grad_out: Array) -> tuple[Array | None, Array]:
        """Per-step dL/dh_t from the output, time-major (or None), and the initial dh."""
        if self.return_sequences:
            g = self.ops.transpose(grad_out, (1, 0, 2))  # (N, T, u) -> (T, N, u)
            return g, self.ops.zeros(tuple(g.shape[1:]))
        return None, grad_out

    def _weight_grads(self, dz_in: Array, dz_rec: Array, hs: Array) -> Array:
        """Accumulate dW, dU and the bias gradient; return dx (N, T, F).

        Args:
            dz_in: (T, N, k·u) gradient of every step's x_t·W + b_in.
            dz_rec: (T, N, k·u) gradient of every step's h_{t−1}·U + b_rec.
            hs: per-step hidden states h_1 … h_T: a list of (N, u), or one (T, N, u) array.
        """
        ops, (t, n, k) = self.ops, dz_in.shape
        w = self.params["kernel"]
        self._record("grad_z_in", dz_in)  # the inspector writes dW, dU, db out from these
        self._record("grad_z_rec", dz_rec)
        dz2 = ops.reshape(dz_in, (t * n, k))
        if self.trainable:
            dwb = self._x2.T @ dz2  # (F(+1), T·N) @ (T·N, k·u) -> dW (and db_in as last row)
            self._accumulate("kernel", dwb[:w.shape[0]])
            # dU = Σ_t h_{t−1}ᵀ dz_t; h_0 = 0, so step 0 adds nothing
            if t > 1:
                prev = ops.stack(hs[:-1], axis=0) if isinstance(hs, list) else hs[:-1]
                h_prev = ops.reshape(prev, ((t - 1) * n, self.units))
                dr = ops.reshape(dz_rec[1:], ((t - 1) * n, k))
                du = h_prev.T @ dr  # (u, (T−1)·N) @ ((T−1)·N, k·u) -> (u, k·u)
            else:
                du = ops.zeros((self.units, k))
            self._accumulate("recurrent_kernel", du)
            if self.use_bias:
                self._accumulate("bias", self._bias_grad(dwb[-1], dz_rec))
        if self.skip_input_grad:
            return None  # the first layer: nothing needs dL/dx
        dx = dz2 @ w.T  # (T·N, k·u) @ (k·u, F) -> (T·N, F)
        return ops.transpose(ops.reshape(dx, (t, n, w.shape[0])), (1, 0, 2))

    def _bias_grad(self, db_in: Array, dz_rec: Array) -> Array:
        """The bias gradient from db_in = Σ dz_in (and dz_rec, for GRU's second bias row)."""
        return db_in

    def _record_grad_norms(self, dhs: list[Array] | Array) -> None:
        """Trace the batch-mean ||dL/dh_t|| per step (T,): vanishing gradients show here.

        Args:
            dhs: dL/dh_t for t = T … 1 (backward's order), each (N, u); or one (T, N, u)
                array in time order.
        """
        ops = self.ops
        dh = ops.stack(dhs[::-1], axis=0) if isinstance(dhs, list) else dhs  # (T, N, u)
        norms = ops.to_numpy(ops.mean(ops.sqrt(ops.sum(dh * dh, axis=2)), axis=1))
        self.last_grad_norms = np.asarray(norms).copy()
        self._record("grad_hidden_norm_per_step", norms)

    def _record_steps(self, key: str, values: list[Array]) -> None:
        self._record(key, self.ops.stack(values, axis=1))  # T × (N, u) -> (N, T, u)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "activation": self.activation_name,
                "use_bias": self.use_bias, "return_sequences": self.return_sequences}


class SimpleRNN(Recurrent):
    """Fully connected recurrence: h_t = tanh(x_t·W + h_{t−1}·U + b), h_0 = 0.

    Args: those of :class:`Recurrent` (units, activation, use_bias, return_sequences,
    initializers, regularizers).

    Shapes: kernel (F, u), recurrent_kernel (u, u), bias (u,); input (N, T, F);
    output (N, u), or (N, T, u) with ``return_sequences=True``.

    Example:
        >>> SimpleRNN(32, input_shape=(50, 1))
    """

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 return_sequences: bool = False, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias,
                         return_sequences=return_sequences, **kwargs)
        f = self._act.symbol
        self.formula = f"h_t = {f}(x_t·W + h_(t−1)·U + b)" if f else "h_t = x_t·W + h_(t−1)·U + b"

    def forward(self, x: Array, training: bool = False) -> Array:
        ops, act = self.ops, self._act
        xw = self._project(x, self.params.get("bias"))  # (T, N, u)
        u_mat = self.params["recurrent_kernel"]
        h = ops.zeros((x.shape[0], self.units))
        hs = []
        for t in range(xw.shape[0]):
            h = act.forward(ops, xw[t] + h @ u_mat)  # (N, u) @ (u, u) -> (N, u)
            hs.append(h)
        self._hs = hs
        if self._trace is not None:
            self._record_steps("hidden", hs)
        return self._output(hs)

    def backward(self, grad_out: Array) -> Array:
        ops, hs, deriv = self.ops, self._hs, self._act.derivative
        g, dh = self._grad_hidden(grad_out)
        u_t = self.params["recurrent_kernel"].T
        das: list[Array] = []
        dhs: list[Array] = []
        for t in range(len(hs) - 1, -1, -1):
            if g is not None:
                dh = dh + g[t]
            da = dh * deriv(ops, hs[t])  # f'(z_t) from h_t
            das.append(da)
            dhs.append(dh)
            dh = da @ u_t  # (N, u) @ (u, u) -> (N, u)
        dz = ops.stack(das[::-1], axis=0)  # (T, N, u)
        if self._trace is not None:
            self._record_grad_norms(dhs)
        return self._weight_grads(dz, dz, hs)



__all__ = ["Recurrent", "SimpleRNN", "get_gate_activation"]
