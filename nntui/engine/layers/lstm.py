"""LSTM: long short-term memory, Keras's gate order i, f, c, o.

With the default activations (sigmoid gates, tanh) the time loop is the backend's
kernel (``ops.lstm_forward`` / ``ops.lstm_backward``): NumPy writes every step into
(T, N, ·) arrays made once per batch and runs each step's gates, cell and hidden state
in one compiled pass (numba) or in place; MLX builds the steps into one lazy graph.
Other activations run the same formula here, step by step, with any gate activation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array
from nntui.engine.initializers import get_initializer
from nntui.engine.layers.recurrent import ACTIVATIONS, Recurrent, get_gate_activation


class LSTM(Recurrent):
    """Long short-term memory; h_0 = c_0 = 0. With z_t = x_t·W + h_(t−1)·U + b split
    into the blocks i, f, c, o (Keras's order)::

        i = σ(z_i)   f = σ(z_f)   g = tanh(z_c)   o = σ(z_o)
        c_t = f ⊙ c_(t−1) + i ⊙ g      h_t = o ⊙ tanh(c_t)

    Args:
        units: size of the hidden and cell state (positive integer).
        activation: of the candidate g and of the cell output (``"tanh"``).
        recurrent_activation: of the gates i, f, o (``"sigmoid"``).
        use_bias: add the bias b.
        return_sequences: output (N, T, u) instead of the last step's (N, u).
        unit_forget_bias: initialise the forget-gate bias to 1 (Keras's default), so the
            cell remembers from the start.
        **kwargs: initializers, regularizers, name, input_shape (see :class:`Recurrent`).

    Shapes: kernel (F, 4u), recurrent_kernel (u, 4u), bias (4u,).

    Example:
        >>> LSTM(64, input_shape=(50, 1))
    """

    blocks = 4

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, return_sequences: bool = False,
                 unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias,
                         return_sequences=return_sequences, **kwargs)
        self.recurrent_activation_name = recurrent_activation
        self._rec = get_gate_activation("LSTM", "recurrent_activation", recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        s, a = self._rec.symbol, self._act.symbol
        self.formula = (f"i={s}(xW_i+hU_i+b_i); f={s}(xW_f+hU_f+b_f); g={a}(xW_c+hU_c+b_c); "
                        f"o={s}(xW_o+hU_o+b_o); c'=f⊙c+i⊙g; h'=o⊙{a}(c')")

    def _bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = get_initializer(self.bias_initializer), self.units

        def unit_forget(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
            return np.concatenate([init((u,), rng), np.ones(u), init((2 * u,), rng)])

        return unit_forget

    def forward(self, x: Array, training: bool = False) -> Array:
        ops, u = self.ops, self.units
        xw = self._project(x, self.params.get("bias"))  # (T, N, 4u): x_t·W + b, every step
        run = ops.lstm_forward if self._standard else self._forward_steps
        self._steps = run(xw, self.params["recurrent_kernel"])
        a, c, _, h = self._steps  # (T, N, 4u), and (T, N, u) each
        if self._trace is not None:
            for key, block in (("gate_i", 0), ("gate_f", 1), ("candidate", 2), ("gate_o", 3)):
                self._record(key, ops.transpose(a[:, :, block * u:(block + 1) * u], (1, 0, 2)))
            self._record("cell", ops.transpose(c, (1, 0, 2)))
            self._record("hidden", ops.transpose(h, (1, 0, 2)))
        return ops.transpose(h, (1, 0, 2)) if self.return_sequences else h[-1]

    def backward(self, grad_out: Array) -> Array:
        a, c, tc, h = self._steps
        gh, dh = self._grad_hidden(grad_out)
        run = self.ops.lstm_backward if self._standard else self._backward_steps
        dz, dhs = run(a, c, tc, self.params["recurrent_kernel"], dh, gh)  # (T, N, 4u), (T, N, u)
        if self._trace is not None:
            self._record_grad_norms(dhs)
        return self._weight_grads(dz, dz, h)

    @property
    def _standard(self) -> bool:
        """σ gates and tanh: the backend's kernel runs the steps."""
        return self._rec is ACTIVATIONS["sigmoid"] and self._act is ACTIVATIONS["tanh"]

    def _forward_steps(self, xw: Array, u_mat: Array) -> tuple[Array, Array, Array, Array]:
        """The class docstring's formula, step by step, with any activations: returns the
        activations a = (i, f, g, o) (T, N, 4u), the cell c, act(c) and h (T, N, u)."""
        ops, u, act, rec = self.ops, self.units, self._act, self._rec
        h = c = ops.zeros((xw.shape[1], u))
        steps: list[list[Array]] = [[], [], [], []]
        for t in range(xw.shape[0]):
            z = xw[t] + h @ u_mat  # (N, u) @ (u, 4u) -> (N, 4u): blocks i f c o
            i, f, o = (rec.forward(ops, z[:, k * u:(k + 1) * u]) for k in (0, 1, 3))
            g = act.forward(ops, z[:, 2 * u:3 * u])
            c = f * c + i * g
            tc = act.forward(ops, c)
            h = o * tc
            for acc, value in zip(steps, (ops.concatenate([i, f, g, o], axis=1), c, tc, h),
                                  strict=True):
                acc.append(value)
        a, cs, tcs, hs = (ops.stack(acc, axis=0) for acc in steps)
        return a, cs, tcs, hs

    def _backward_steps(self, a: Array, c: Array, tc: Array, u_mat: Array, dh: Array,
                        gh: Array | None) -> tuple[Array, Array]:
        """Backpropagation through time of :meth:`_forward_steps`: dz (T, N, 4u) and the
        whole dL/dh_t (T, N, u); ``gh``: the output's dL/dh_t for every step, or None."""
        ops, u = self.ops, self.units
        rec_d, act_d = self._rec.derivative, self._act.derivative
        if gh is not None:
            dh = dh + gh[-1]
        dc = zero = ops.zeros(tuple(dh.shape))
        u_t = u_mat.T
        dzs: list[Array] = []
        dhs: list[Array] = []
        for t in range(a.shape[0] - 1, -1, -1):
            i, f, g, o = (a[t, :, k * u:(k + 1) * u] for k in range(4))
            c_prev = c[t - 1] if t else zero
            dhs.append(dh)
            dc = dc + dh * o * act_d(ops, tc[t])  # through h_t = o ⊙ act(c_t)
            dzs.append(ops.concatenate([dc * g * rec_d(ops, i), dc * c_prev * rec_d(ops, f),
                                        dc * i * act_d(ops, g), dh * tc[t] * rec_d(ops, o)],
                                       axis=1))  # (N, 4u): d(z_i, z_f, z_c, z_o)
            dc = dc * f
            if t:
                dh = dzs[-1] @ u_t  # (N, 4u) @ (4u, u) -> (N, u)
                if gh is not None:
                    dh = dh + gh[t - 1]
        return ops.stack(dzs[::-1], axis=0), ops.stack(dhs[::-1], axis=0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "unit_forget_bias": self.unit_forget_bias}
