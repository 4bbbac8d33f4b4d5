"""GRU: gated recurrent unit, Keras 3's ``reset_after=True`` form, gate order z, r, h."""

from __future__ import annotations

from typing import Any

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.recurrent import Recurrent, get_gate_activation
from nntui.errors import ConfigError


class GRU(Recurrent):
    """Gated recurrent unit (Keras's ``reset_after=True``); h_0 = 0::

        x_z, x_r, x_h = x_t·W + b_in        r_z, r_r, r_h = h_(t−1)·U + b_rec
        z = σ(x_z + r_z)    r = σ(x_r + r_r)    ĥ = tanh(x_h + r ⊙ r_h)
        h_t = z ⊙ h_(t−1) + (1 − z) ⊙ ĥ

    Args:
        units: size of the hidden state (positive integer).
        activation: of the candidate ĥ (``"tanh"``).
        recurrent_activation: of the gates z, r (``"sigmoid"``).
        use_bias: add the biases b_in and b_rec.
        return_sequences: output (N, T, u) instead of the last step's (N, u).
        reset_after: must be True (Keras 3's default; the reset gate applies after h·U).
        **kwargs: initializers, regularizers, name, input_shape (see :class:`Recurrent`).

    Shapes: kernel (F, 3u), recurrent_kernel (u, 3u), bias (2, 3u): row 0 b_in, row 1 b_rec.

    Raises:
        ConfigError: ``reset_after=False`` (the Keras 2 / TensorFlow 1 variant).

    Example:
        >>> GRU(32, return_sequences=True, input_shape=(20, 3))
    """

    blocks = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, return_sequences: bool = False, reset_after: bool = True,
                 **kwargs: Any) -> None:
        if not reset_after:
            raise ConfigError("GRU supports only reset_after=True (Keras 3's default, bias of "
                              "shape (2, 3·units)). Received: reset_after=False")
        super().__init__(units, activation=activation, use_bias=use_bias,
                         return_sequences=return_sequences, **kwargs)
        self.recurrent_activation_name = recurrent_activation
        self._rec = get_gate_activation("GRU", "recurrent_activation", recurrent_activation)
        self.reset_after = True
        s, a = self._rec.symbol, self._act.symbol
        self.formula = (f"z={s}(xW_z+hU_z+b_z); r={s}(xW_r+hU_r+b_r); "
                        f"ĥ={a}(xW_h+b_h+r⊙(hU_h+b'_h)); h'=z⊙h+(1−z)⊙ĥ")

    def _bias_shape(self) -> Shape:
        return (2, 3 * self.units)

    def forward(self, x: Array, training: bool = False) -> Array:
        ops, u, act, rec = self.ops, self.units, self._act, self._rec
        b = self.params.get("bias")
        b_in = b_rh = None
        if b is not None:
            # the z and r parts of b_rec act outside the reset gate: fold them into x·W
            b_in = b[0] + ops.concatenate([b[1, :2 * u], ops.zeros((u,))], axis=0)
            b_rh = b[1, 2 * u:]
        xw = self._project(x, b_in)  # (T, N, 3u)
        u_mat = self.params["recurrent_kernel"]
        h = ops.zeros((x.shape[0], u))
        zrs, rhs, hhs, hs = [], [], [], []
        for t in range(xw.shape[0]):
            hu = h @ u_mat  # (N, u) @ (u, 3u) -> (N, 3u): blocks z r h
            zr = rec.forward(ops, xw[t, :, :2 * u] + hu[:, :2 * u])  # (N, 2u)
            rh = hu[:, 2 * u:] if b_rh is None else hu[:, 2 * u:] + b_rh
            hh = act.forward(ops, xw[t, :, 2 * u:] + zr[:, u:] * rh)
            h = hh + zr[:, :u] * (h - hh)  # z ⊙ h + (1 − z) ⊙ ĥ
            zrs.append(zr)
            rhs.append(rh)
            hhs.append(hh)
            hs.append(h)
        st = [ops.stack(a, axis=0) for a in (zrs, rhs, hhs, hs)]  # each (T, N, ·)
        self._cache = st
        if self._trace is not None:
            zr_all, nt = st[0], self._time_batch
            for key, value in (("gate_z", zr_all[..., :u]), ("gate_r", zr_all[..., u:]),
                               ("candidate", st[2]), ("hidden", st[3])):
                self._record(key, nt(value))  # (N, T, u)
        return self._output(st[3])

    def backward(self, grad_out: Array) -> Array:
        ops, u = self.ops, self.units
        zr, rh, hh, hs = self._cache
        n_t, n = hs.shape[0], hs.shape[1]
        dzr = self._rec.derivative(ops, zr)  # (T, N, 2u)
        z, r = zr[..., :u], zr[..., u:]
        h_prev = ops.concatenate([ops.zeros((1, n, u)), hs[:-1]], axis=0)
        q = (1.0 - z) * self._act.derivative(ops, hh)  # dh_t -> d(pre-activation of ĥ)
        # d(x-side pre-activations z, r, h) = dh_t ⊙ k_t; recurrent side: ⊙ [1, 1, r] too
        k = ops.concatenate([(h_prev - hh) * dzr[..., :u], q * rh * dzr[..., u:], q], axis=-1)
        k_rec = ops.concatenate([k[..., :2 * u], k[..., 2 * u:] * r], axis=-1)  # (T, N, 3u)
        k_rec4 = ops.reshape(k_rec, (n_t, n, 3, u))
        gh, dh = self._grad_hidden(grad_out)
        u_t = self.params["recurrent_kernel"].T
        dhs: list[Array] = []
        for t in range(n_t - 1, -1, -1):
            if gh is not None:
                dh = dh + gh[t]
            dhs.append(dh)
            d_rec = ops.reshape(k_rec4[t] * ops.expand_dims(dh, 1), (n, 3 * u))  # (N, 3u)
            dh = dh * z[t] + d_rec @ u_t  # (N, 3u) @ (3u, u) -> (N, u)
        dh_all = ops.stack(dhs[::-1], axis=0)  # (T, N, u)
        dh3 = ops.concatenate([dh_all, dh_all, dh_all], axis=-1)
        if self._trace is not None:
            self._record_grad_norms(dh_all)
        return self._weight_grads(k * dh3, k_rec * dh3, hs)

    def _bias_grad(self, dz_in2: Array, dz_rec: Array) -> Array:
        ops = self.ops
        d_rec = ops.sum(ops.reshape(dz_rec, (-1, dz_rec.shape[-1])), axis=0)
        return ops.stack([ops.sum(dz_in2, axis=0), d_rec], axis=0)  # (2, 3u)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "reset_after": self.reset_after}
