"""LSTM: long short-term memory, Keras's gate order i, f, c, o.

With the default activations (sigmoid gates, tanh) NumPy runs its own loop
(``_forward_numpy`` / ``_backward_numpy``): every per-step value is written with
``out=`` into (T, N, ·) arrays made once per batch, so a step makes no temporaries,
no concatenation and no final stack; and the columns of W, U and b are scaled by −1
(i, f, o) and −2 (c), exactly in floating point, so that one ``exp`` over all four
blocks, ``+ 1`` and a reciprocal give σ(z) for the gates and σ(2z) for the candidate,
whose tanh(z) = 2σ(2z) − 1. NumPy's float32 ``exp`` is vectorised where its ``tanh``
is not here (2.2 against 4.2 ns an element): measured side by side, 1.15× the
training throughput of the reference LSTM of the tanh(z/2) form this replaced, which
was itself ~2× the generic path that MLX and other activations keep.
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
        self._np_steps: tuple[np.ndarray, ...] | None = None  # the NumPy path's (T, N, ·) arrays

    def _bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = get_initializer(self.bias_initializer), self.units

        def unit_forget(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
            return np.concatenate([init((u,), rng), np.ones(u), init((2 * u,), rng)])

        return unit_forget

    def _numpy_path(self, x: Array) -> bool:
        return (isinstance(x, np.ndarray) and self._rec is ACTIVATIONS["sigmoid"]
                and self._act is ACTIVATIONS["tanh"])

    def forward(self, x: Array, training: bool = False) -> Array:
        self._np_steps = None
        if self._numpy_path(x):
            return self._forward_numpy(x)
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
        if self._np_steps is not None:
            return self._backward_numpy(grad_out)
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

    # NumPy, sigmoid/tanh: in-place steps (see the module docstring) -------------------
    def _forward_numpy(self, x: np.ndarray) -> np.ndarray:
        u, b = self.units, self.params.get("bias")
        scale = np.full(4 * u, -1.0, x.dtype)
        scale[2 * u:3 * u] = -2.0  # z' = −z for i, f, o and −2z for c: exact in floats
        kernel = self.params["kernel"] * scale
        s_all = self._project(x, None if b is None else b * scale, kernel)  # (T, N, 4u): z'
        u_scaled = self.params["recurrent_kernel"] * scale  # (u, 4u)
        t_len, n = s_all.shape[:2]
        c_all, tc_all, h_all = (np.empty((t_len, n, u), x.dtype) for _ in range(3))
        hu, ig = np.empty((n, 4 * u), x.dtype), np.empty((n, u), x.dtype)
        for t in range(t_len):
            s = s_all[t]  # (N, 4u): z' in, then the activations i, f, g, o
            if t:  # h_0 = 0 adds nothing
                s += np.matmul(h_all[t - 1], u_scaled, out=hu)  # (N, u) @ (u, 4u)
            with np.errstate(over="ignore"):  # exp(z') = inf gives σ = 0, exactly right
                np.exp(s, out=s)
            s += 1.0
            np.reciprocal(s, out=s)  # σ(z) = 1/(1 + e^(−z)) for i, f, o; σ(2z) for c
            g = s[:, 2 * u:3 * u]
            g *= 2.0
            g -= 1.0  # g = tanh(z_c) = 2σ(2z_c) − 1
            i, f, o = s[:, :u], s[:, u:2 * u], s[:, 3 * u:]
            c = c_all[t]
            if t:
                np.multiply(f, c_all[t - 1], out=c)
                c += np.multiply(i, g, out=ig)  # c_t = f ⊙ c_(t−1) + i ⊙ g
            else:
                np.multiply(i, g, out=c)
            np.tanh(c, out=tc_all[t])
            np.multiply(o, tc_all[t], out=h_all[t])  # h_t = o ⊙ tanh(c_t)
        self._np_steps = s_all, c_all, tc_all, h_all
        if self._trace is not None:
            for key, block in (("gate_i", 0), ("gate_f", 1), ("candidate", 2), ("gate_o", 3)):
                self._record_steps(key, list(s_all[:, :, block * u:(block + 1) * u]))
            self._record_steps("cell", list(c_all))
            self._record_steps("hidden", list(h_all))
        return self._output(list(h_all)) if self.return_sequences else h_all[-1]

    def _backward_numpy(self, grad_out: np.ndarray) -> np.ndarray:
        u, (s_all, c_all, tc_all, h_all) = self.units, self._np_steps  # type: ignore[misc]
        t_len, n = s_all.shape[:2]
        gh, dh0 = self._grad_hidden(grad_out)
        dh = np.array(dh0, dtype=s_all.dtype)  # (N, u), updated in place
        dc, tmp = np.zeros((n, u), s_all.dtype), np.empty((n, u), s_all.dtype)
        ds = np.empty((n, 4 * u), s_all.dtype)
        dz_all = np.empty_like(s_all)  # (T, N, 4u): d(z_i, z_f, z_c, z_o)
        u_t = np.ascontiguousarray(self.params["recurrent_kernel"].T)  # (4u, u)
        dhs: list[np.ndarray] = []
        for t in range(t_len - 1, -1, -1):
            s, tc, dz = s_all[t], tc_all[t], dz_all[t]
            i, f, g, o = s[:, :u], s[:, u:2 * u], s[:, 2 * u:3 * u], s[:, 3 * u:]
            if gh is not None:
                dh += gh[t]
            if self._trace is not None:
                dhs.append(dh.copy())
            np.multiply(tc, tc, out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            dc += tmp  # through h_t = o ⊙ tanh(c_t)
            np.subtract(1.0, s, out=ds)
            ds *= s  # σ' = s(1 − s) on the i, f, o blocks (the g block goes unused)
            np.multiply(dc, g, out=dz[:, :u])
            dz[:, :u] *= ds[:, :u]
            if t:
                np.multiply(dc, c_all[t - 1], out=dz[:, u:2 * u])
                dz[:, u:2 * u] *= ds[:, u:2 * u]
            else:
                dz[:, u:2 * u] = 0.0  # c_0 = 0
            dzc = np.multiply(g, g, out=dz[:, 2 * u:3 * u])
            np.subtract(1.0, dzc, out=dzc)
            dzc *= i
            dzc *= dc  # dc ⊙ i ⊙ (1 − g²)
            np.multiply(dh, tc, out=dz[:, 3 * u:])
            dz[:, 3 * u:] *= ds[:, 3 * u:]
            if t:
                np.matmul(dz, u_t, out=dh)  # (N, 4u) @ (4u, u) -> (N, u)
                dc *= f
        if self._trace is not None:
            self._record_grad_norms(dhs)
        return self._weight_grads(dz_all, dz_all, h_all)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "unit_forget_bias": self.unit_forget_bias}
