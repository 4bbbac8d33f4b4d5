"""Cross-attention and the decoder block of an encoder–decoder transformer ("translation").

Both take one input, the decoder's sequence with the encoder's output (the *memory*)
appended along time: ``(N, T + S, D)``, the last ``memory_length`` = S steps being the
memory. So they stack in a ``Sequential`` and keep the one-input layer contract, and
the memory's gradient comes back in the same place.

``MultiHeadCrossAttention`` lets each decoder position ask the memory (queries from the
decoder, keys and values from the encoder); ``TransformerDecoderBlock`` is the pre-LN
decoder block (causal self-attention, cross-attention, feed-forward) that passes the
memory through unchanged for the next block.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.layers.attention import MultiHeadSelfAttention, TransformerBlock, _positive_int
from nntui.engine.layers.base import Layer, check_rank
from nntui.engine.layers.dense import Dense
from nntui.engine.layers.dropout import Dropout
from nntui.engine.layers.normalization import LayerNormalization
from nntui.errors import ShapeError


def _split_memory(layer: Layer, input_shape: Shape, memory: int) -> int:
    """T, the decoder length, of an input (T + S, D); raises when S leaves none."""
    check_rank(layer, input_shape, 2, "It takes the decoder's sequence with the encoder's "
               "output appended along time: (batch, T + S, features).")
    if input_shape[0] <= memory:
        raise ShapeError(f"{type(layer).__name__} {layer.name!r} takes (batch, T + "
                         f"{memory}, features) with T ≥ 1 (memory_length={memory}); "
                         f"received (batch, {', '.join(map(str, input_shape))})")
    return input_shape[0] - memory


class MultiHeadCrossAttention(MultiHeadSelfAttention):
    """Multi-head attention of a decoder sequence over an encoder's memory.

    Input ``(N, T + S, D)``: x = the first T steps, m = the last S (the memory):
        q = x·Wq + bq,  k = m·Wk + bk,  v = m·Wv + bv          (per head)
        A = softmax(q·kᵀ / √key_dim)                           (N, H, T, S): row t reads m
        out = Σ_h (A·v)_h·Wo_h + bo                            (N, T, D_out)
    No mask: every output position may read every input position.

    Args:
        num_heads, key_dim, value_dim, use_bias, dropout, output_dim, initializers, seed:
            as :class:`MultiHeadSelfAttention` (Keras ``MultiHeadAttention``'s weights,
            called as ``mha(query=x, value=m, key=m)``).
        memory_length: S, the steps at the end of the input that are the memory.

    Trace keys: ``scores``, ``attention`` (N, H, T, S), ``context``; ``grad_attention``.

    Example:
        >>> MultiHeadCrossAttention(num_heads=2, key_dim=16, memory_length=30)
    """

    formula = "A = softmax(Q(x)·K(m)ᵀ/√d_k);  out = concat_h(A·V(m))·W_o"

    def __init__(self, num_heads: int, key_dim: int, memory_length: int,
                 **kwargs: Any) -> None:
        kwargs.pop("causal", None)  # a config round trip carries it; cross-attention has none
        super().__init__(num_heads, key_dim, causal=False, **kwargs)
        self.memory_length = _positive_int("memory_length", memory_length)

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        _split_memory(self, input_shape, self.memory_length)
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0] - self.memory_length, self.output_dim or input_shape[-1])

    def _project(self, x: Array) -> tuple[Array, Array, Array]:
        """q from the decoder steps; k and v from the memory as one product; heads split."""
        ops = self.ops
        n, total, d = x.shape
        t, s = total - self.memory_length, self.memory_length
        h, kd = self.num_heads, self.key_dim
        q = ops.matmul(ops.reshape(x[:, :t], (n * t, d)),
                       ops.reshape(self.params["query/kernel"], (d, -1)))  # (NT, H·k)
        kv = ops.matmul(ops.reshape(x[:, t:], (n * s, d)), self._joined_kv("kernel"))
        if self.use_bias:
            q = q + ops.reshape(self.params["query/bias"], (-1,))
            kv = kv + self._joined_kv("bias")
        return (ops.transpose(ops.reshape(q, (n, t, h, kd)), (0, 2, 1, 3)),
                ops.transpose(ops.reshape(kv[:, :h * kd], (n, s, h, kd)), (0, 2, 1, 3)),
                ops.transpose(ops.reshape(kv[:, h * kd:], (n, s, h, self.value_dim)),
                              (0, 2, 1, 3)))

    def _joined_kv(self, part: str) -> Array:
        """The key and value projections side by side: (D, H·(k + dv)) or their biases."""
        ops = self.ops
        if part == "kernel":
            d = self.params["key/kernel"].shape[0]
            return ops.concatenate([ops.reshape(self.params[f"{p}/kernel"], (d, -1))
                                    for p in ("key", "value")], axis=1)
        return ops.concatenate([ops.reshape(self.params[f"{p}/bias"], (-1,))
                                for p in ("key", "value")], axis=0)

    def _project_backward(self, x: Array, grads: tuple[Array, Array, Array]) -> Array:
        """The projections' gradients; dL/d(input) is dL/dx then dL/dm along time."""
        ops = self.ops
        n, total, d = x.shape
        t, s = total - self.memory_length, self.memory_length
        g_q = ops.reshape(ops.transpose(grads[0], (0, 2, 1, 3)), (n * t, -1))  # (NT, H·k)
        g_kv = ops.concatenate([ops.reshape(ops.transpose(g, (0, 2, 1, 3)), (n * s, -1))
                                for g in grads[1:]], axis=1)                    # (NS, H(k+dv))
        x_q, x_m = ops.reshape(x[:, :t], (n * t, d)), ops.reshape(x[:, t:], (n * s, d))
        self._accumulate("query/kernel",
                         ops.reshape(x_q.T @ g_q, tuple(self.params["query/kernel"].shape)))
        gw = x_m.T @ g_kv                                            # (D, H(k + dv))
        gb = ops.sum(g_kv, axis=0) if self.use_bias else None
        split = self.num_heads * self.key_dim
        for proj, cols in (("key", slice(0, split)), ("value", slice(split, None))):
            shape = tuple(self.params[f"{proj}/kernel"].shape)
            self._accumulate(f"{proj}/kernel", ops.reshape(gw[:, cols], shape))
            if gb is not None:
                self._accumulate(f"{proj}/bias", ops.reshape(gb[cols], shape[1:]))
        if self.use_bias:
            self._accumulate("query/bias", ops.reshape(ops.sum(g_q, axis=0),
                                                       tuple(self.params["query/bias"].shape)))
        dx = ops.reshape(g_q @ ops.reshape(self.params["query/kernel"], (d, -1)).T, (n, t, d))
        dm = ops.reshape(g_kv @ self._joined_kv("kernel").T, (n, s, d))
        return ops.concatenate([dx, dm], axis=1)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "memory_length": self.memory_length}
        config.pop("causal")
        return config


class TransformerDecoderBlock(TransformerBlock):
    """A pre-LN decoder block over ``(N, T + S, D)``: decoder steps x, then the memory m.

        h = x + Dropout(MHSA_causal(LN1(x)))
        c = h + Dropout(CrossAttention(LN2(h), m))
        y = c + Dropout(FFN(LN3(c)))
        out = (y, m)                         the memory passes on to the next block

    Args:
        num_heads, key_dim, ff_dim, dropout, activation, epsilon: as
            :class:`TransformerBlock`.
        memory_length: S, the memory's steps at the end of the input.

    Sub-layers: ``ln1``, ``attn`` (causal self-attention), ``drop1``, ``ln2``, ``cross``
    (:class:`MultiHeadCrossAttention`), ``drop2``, ``ln3``, ``ff1``, ``ff2``, ``drop3``.
    Trace keys: the sub-layers' prefixed, ``attention`` (self) and ``cross_attention``
    (N, H, T, S).

    Example:
        >>> TransformerDecoderBlock(num_heads=2, key_dim=16, ff_dim=64, memory_length=30)
    """

    formula = "h = x + MHSA(LN(x));  c = h + MHA(LN(h), m);  y = c + FFN(LN(c))"

    def __init__(self, num_heads: int, key_dim: int, ff_dim: int, memory_length: int,
                 **kwargs: Any) -> None:
        kwargs.pop("causal", None)
        super().__init__(num_heads, key_dim, ff_dim, causal=True, **kwargs)
        self.memory_length = _positive_int("memory_length", memory_length)

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        t = _split_memory(self, input_shape, self.memory_length)
        d = input_shape[-1]
        kw: dict[str, Any] = {"trainable": self._trainable}
        p, rate = self.name, self.dropout
        self._children.clear()
        self._children.update(
            ln1=LayerNormalization(epsilon=self.epsilon, name=f"{p}/ln1", **kw),
            attn=MultiHeadSelfAttention(self.num_heads, self.key_dim, causal=True,
                                        dropout=rate, name=f"{p}/attn", **kw),
            drop1=Dropout(rate, name=f"{p}/drop1", **kw),
            ln2=LayerNormalization(epsilon=self.epsilon, name=f"{p}/ln2", **kw),
            cross=MultiHeadCrossAttention(self.num_heads, self.key_dim, self.memory_length,
                                          dropout=rate, name=f"{p}/cross", **kw),
            drop2=Dropout(rate, name=f"{p}/drop2", **kw),
            ln3=LayerNormalization(epsilon=self.epsilon, name=f"{p}/ln3", **kw),
            ff1=Dense(self.ff_dim, activation=self.activation_name, name=f"{p}/ff1", **kw),
            ff2=Dense(d, name=f"{p}/ff2", **kw),
            drop3=Dropout(rate, name=f"{p}/drop3", **kw),
        )
        shapes = {"cross": tuple(input_shape), "ff2": (t, self.ff_dim)}
        for name, child in self._children.items():
            child.ops = self.ops
            child.build(shapes.get(name, (t, d)), rng)
        Layer.build(self, input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def forward(self, x: Array, training: bool = False) -> Array:
        c, ops = self._children, self.ops
        tracing = self._trace is not None
        for child in c.values():
            child._trace = {} if tracing else None
        t = x.shape[1] - self.memory_length
        dec, mem = x[:, :t], x[:, t:]
        h = dec + c["drop1"].forward(c["attn"].forward(c["ln1"].forward(dec, training),
                                                        training), training)
        cross_in = ops.concatenate([c["ln2"].forward(h, training), mem], axis=1)
        h = h + c["drop2"].forward(c["cross"].forward(cross_in, training), training)
        f = c["ff2"].forward(c["ff1"].forward(c["ln3"].forward(h, training), training), training)
        y = h + c["drop3"].forward(f, training)
        if tracing:
            self._gather_traces()
        return ops.concatenate([y, mem], axis=1)

    def backward(self, grad_out: Array) -> Array:
        c, ops = self._children, self.ops
        t = grad_out.shape[1] - self.memory_length
        g_y, g_mem = grad_out[:, :t], grad_out[:, t:]
        g_h = g_y + c["ln3"].backward(c["ff1"].backward(c["ff2"].backward(
            c["drop3"].backward(g_y))))
        g_cross = c["cross"].backward(c["drop2"].backward(g_h))      # (N, T + S, D)
        g_mem = g_mem + g_cross[:, t:]
        g_h = g_h + c["ln2"].backward(g_cross[:, :t])
        g_x = g_h + c["ln1"].backward(c["attn"].backward(c["drop1"].backward(g_h)))
        if self._trace is not None:
            self._gather_traces()
        return ops.concatenate([g_x, g_mem], axis=1)

    def _gather_traces(self) -> None:
        super()._gather_traces()
        if "cross/attention" in self._trace:  # type: ignore[operator]
            self._record("cross_attention", self._trace["cross/attention"])  # type: ignore[index]

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "memory_length": self.memory_length}
        config.pop("causal")
        return config

