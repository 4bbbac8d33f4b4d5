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
        self._steps = zrs, rhs, hhs, hs
        if self._trace is not None:
            self._record_steps("gate_z", [zr[:, :u] for zr in zrs])
            self._record_steps("gate_r", [zr[:, u:] for zr in zrs])
            self._record_steps("candidate", hhs)
            self._record_steps("hidden", hs)
        return self._output(hs)

    def backward(self, grad_out: Array) -> Array:
        ops, u = self.ops, self.units
        zrs, rhs, hhs, hs = self._steps
        rec_d, act_d = self._rec.derivative, self._act.derivative
        gh, dh = self._grad_hidden(grad_out)
        zero = ops.zeros(tuple(dh.shape))
        u_t = self.params["recurrent_kernel"].T
        d_ins: list[Array] = []
        d_recs: list[Array] = []
        dhs: list[Array] = []
        for t in range(len(hs) - 1, -1, -1):
            zr, rh, hh = zrs[t], rhs[t], hhs[t]
            h_prev = hs[t - 1] if t else zero
            z, r = zr[:, :u], zr[:, u:]
            if gh is not None:
                dh = dh + gh[t]
            dzr = rec_d(ops, zr)  # (N, 2u)
            d_hh = dh * (1.0 - z) * act_d(ops, hh)  # d(pre-activation of ĥ)
            d_z = dh * (h_prev - hh) * dzr[:, :u]
            d_r = d_hh * rh * dzr[:, u:]
            d_ins.append(ops.concatenate([d_z, d_r, d_hh], axis=1))  # d(x·W + b_in), (N, 3u)
            d_rec = ops.concatenate([d_z, d_r, d_hh * r], axis=1)  # d(h·U + b_rec)
            d_recs.append(d_rec)
            dhs.append(dh)
            dh = dh * z + d_rec @ u_t  # (N, 3u) @ (3u, u) -> (N, u)
        if self._trace is not None:
            self._record_grad_norms(dhs)
        return self._weight_grads(ops.stack(d_ins[::-1], axis=0),
                                  ops.stack(d_recs[::-1], axis=0), hs)

    def _bias_grad(self, db_in: Array, dz_rec: Array) -> Array:
        ops, u = self.ops, self.units
        # b_rec's z and r parts act exactly like b_in's; only its h part sits inside r ⊙ (·)
        d_rh = ops.sum(dz_rec[..., 2 * u:], axis=(0, 1))
        d_rec = ops.concatenate([db_in[:2 * u], d_rh], axis=0)
        return ops.stack([db_in, d_rec], axis=0)  # (2, 3u)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation_name,
                "reset_after": self.reset_after}
