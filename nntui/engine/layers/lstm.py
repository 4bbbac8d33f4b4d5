"""LSTM: long short-term memory, Keras's gate order i, f, c, o."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array
from nntui.engine.initializers import get_initializer
from nntui.engine.layers.recurrent import Recurrent, get_gate_activation


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
        ops, u, act, rec = self.ops, self.units, self._act, self._rec
        xw = self._project(x, self.params.get("bias"))  # (T, N, 4u)
        u_mat = self.params["recurrent_kernel"]
        h = c = ops.zeros((x.shape[0], u))
        ss, gs, cs, tcs, hs = [], [], [], [], []
        for t in range(xw.shape[0]):
            z = xw[t] + h @ u_mat  # (N, u) @ (u, 4u) -> (N, 4u): blocks i f c o
            s = rec.forward(ops, z)  # every block; the c block's value goes unused
            g = act.forward(ops, z[:, 2 * u:3 * u])
            c = s[:, u:2 * u] * c + s[:, :u] * g
            tc = act.forward(ops, c)
            h = s[:, 3 * u:] * tc
            ss.append(s)
            gs.append(g)
            cs.append(c)
            tcs.append(tc)
            hs.append(h)
        self._steps = ss, gs, cs, tcs, hs
        if self._trace is not None:
            for key, block in (("gate_i", 0), ("gate_f", 1), ("gate_o", 3)):
                self._record_steps(key, [s[:, block * u:(block + 1) * u] for s in ss])
            for key, values in (("candidate", gs), ("cell", cs), ("hidden", hs)):
                self._record_steps(key, values)
        return self._output(hs)

    def backward(self, grad_out: Array) -> Array:
        ops, u = self.ops, self.units
        ss, gs, cs, tcs, hs = self._steps
        rec_d, act_d = self._rec.derivative, self._act.derivative
        gh, dh = self._grad_hidden(grad_out)
        dc = zero = ops.zeros(tuple(dh.shape))
        u_t = self.params["recurrent_kernel"].T
        dzs: list[Array] = []
        dhs: list[Array] = []
        for t in range(len(hs) - 1, -1, -1):
            s, g, tc = ss[t], gs[t], tcs[t]
            c_prev = cs[t - 1] if t else zero
            if gh is not None:
                dh = dh + gh[t]
            dc = dc + dh * s[:, 3 * u:] * act_d(ops, tc)  # through h_t = o ⊙ tanh(c_t)
            ds = rec_d(ops, s)  # (N, 4u); the c block goes unused
            dz = ops.concatenate([dc * g * ds[:, :u], dc * c_prev * ds[:, u:2 * u],
                                  dc * s[:, :u] * act_d(ops, g), dh * tc * ds[:, 3 * u:]],
                                 axis=1)  # (N, 4u): d(z_i, z_f, z_c, z_o)
            dzs.append(dz)
            dhs.append(dh)
            dh = dz @ u_t  # (N, 4u) @ (4u, u) -> (N, u)
            dc = dc * s[:, u:2 * u]
        dz_all = ops.stack(dzs[::-1], axis=0)  # (T, N, 4u)
        if self._trace is not None:
            self._record_grad_norms(dhs)
        return self._weight_grads(dz_all, dz_all, hs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "unit_forget_bias": self.unit_forget_bias}
