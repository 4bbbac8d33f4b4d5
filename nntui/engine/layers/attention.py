"""Self-attention and the pieces of a small transformer.

``MultiHeadSelfAttention`` is scaled dot-product attention with several heads,
``PositionalEmbedding`` adds learned positions, ``TransformerBlock`` is a pre-LN
residual block (as in minGPT) composed of them, and ``GlobalAveragePooling1D``
turns a sequence into one vector for a classifier head.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Shape
from nntui.engine.initializers import get_initializer
from nntui.engine.layers.activations import check_activation_name
from nntui.engine.layers.base import Layer, check_rank
from nntui.engine.layers.dense import Dense
from nntui.engine.layers.dropout import Dropout
from nntui.engine.layers.normalization import LayerNormalization
from nntui.engine.seeding import make_rng
from nntui.errors import ConfigError, ShapeError

_PROJECTIONS = ("query", "key", "value")


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer. Received: {name}={value!r}")
    return int(value)


def _check_rate(rate: Any) -> float:
    if not 0.0 <= float(rate) < 1.0:
        raise ConfigError(f"dropout must be in [0, 1). Received: dropout={rate!r}")
    return float(rate)


class MultiHeadSelfAttention(Layer):
    """Multi-head scaled dot-product self-attention over a sequence (N, T, D).

    For each head h (all heads and samples in one batched matmul):
        q = x·Wq_h + bq_h,  k = x·Wk_h + bk_h,  v = x·Wv_h + bv_h
        S = q·kᵀ / √key_dim                      (the "scores")
        A = softmax(S + mask)                    (the "attention"; rows sum to 1)
        C_h = A·v                                (the "context")
        out = Σ_h C_h·Wo_h + bo

    With ``causal=True`` position t attends only to positions ≤ t (a language
    model must not see the token it predicts).

    Args:
        num_heads: number of heads H.
        key_dim: size of each head's query and key.
        value_dim: size of each head's value; defaults to ``key_dim``.
        use_bias: add biases to the four projections.
        causal: mask out attention to later positions.
        dropout: dropout rate on the attention weights while training.
        output_dim: size of the output features; defaults to the input's D.
        kernel_initializer / bias_initializer: Keras names; defaults glorot_uniform / zeros.
            The kernel initializer sees each projection as its 2-D matrix ((D, H·k) or
            (H·dv, D)), so glorot's fans are those of the matrix.
        seed: seed of the dropout generator (drawn from the model's otherwise).

    Weights, in ``get_weights`` order (Keras ``MultiHeadAttention``'s shapes and order):
        query/kernel (D, H, key_dim), query/bias (H, key_dim),
        key/kernel (D, H, key_dim), key/bias (H, key_dim),
        value/kernel (D, H, value_dim), value/bias (H, value_dim),
        attention_output/kernel (H, value_dim, D_out), attention_output/bias (D_out,)
    (biases are left out when ``use_bias=False``).

    Trace keys: ``scores`` (N, H, T, T) scaled, before the mask and softmax;
    ``attention`` (N, H, T, T) after the softmax (before dropout);
    ``context`` (N, T, H, value_dim); backward adds ``grad_attention`` (N, H, T, T), dL/dA.

    Example:
        >>> MultiHeadSelfAttention(num_heads=2, key_dim=16, causal=True)
    """

    formula = "A = softmax(Q·Kᵀ/√d_k + M);  out = concat_h(A·V)·W_o"

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 use_bias: bool = True, causal: bool = False, dropout: float = 0.0,
                 output_dim: int | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_heads = _positive_int("num_heads", num_heads)
        self.key_dim = _positive_int("key_dim", key_dim)
        self.value_dim = _positive_int("value_dim", value_dim if value_dim is not None
                                       else key_dim)
        self.output_dim = None if output_dim is None else _positive_int("output_dim", output_dim)
        self.use_bias = bool(use_bias)
        self.causal = bool(causal)
        self.dropout = _check_rate(dropout)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.seed = seed
        self._rng = make_rng(seed)

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 2, "Attention needs sequences (batch, time, features); "
                   "put an Embedding before it.")
        d, h = input_shape[-1], self.num_heads
        d_out = self.output_dim or d
        for proj in _PROJECTIONS:
            size = self.value_dim if proj == "value" else self.key_dim
            self._add_kernel(f"{proj}/kernel", (d, h, size), (d, h * size), rng)
            if self.use_bias:
                self.add_weight(f"{proj}/bias", (h, size), self.bias_initializer, rng)
        self._add_kernel("attention_output/kernel", (h, self.value_dim, d_out),
                         (h * self.value_dim, d_out), rng)
        if self.use_bias:
            self.add_weight("attention_output/bias", (d_out,), self.bias_initializer, rng)
        if self.seed is None:
            self._rng = np.random.default_rng(rng.integers(2**31))
        super().build(input_shape, rng)

    def generators(self) -> dict[str, np.random.Generator]:
        return {"rng": self._rng}

    def _add_kernel(self, name: str, shape: Shape, matrix: Shape, rng: np.random.Generator) -> None:
        init = get_initializer(self.kernel_initializer)
        self.add_weight(name, shape, lambda _s, r: init(matrix, r).reshape(shape), rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape[:-1]) + (self.output_dim or input_shape[-1],)

    # forward -------------------------------------------------------------------
    def forward(self, x: Array, training: bool = False) -> Array:
        ops = self.ops
        self._x = x
        q, k, v = self._project(x)                                   # (N, H, T, k) each
        n, t, tk = x.shape[0], q.shape[2], k.shape[2]  # queries and keys (T = Tk for self)
        drop = None
        if training and self.dropout > 0.0:
            keep = 1.0 - self.dropout
            u = ops.uniform((n, self.num_heads, t, tk), self._rng)
            drop = ops.astype(u < keep, ops.dtype) * (1.0 / keep)
        # S = q·kᵀ/√k; A = softmax(S + M); C = (A ⊙ drop)·v   (one backend kernel)
        scores, attn, context = ops.attention(q, k, v, 1.0 / math.sqrt(self.key_dim),
                                              self.causal, drop, self._trace is not None)
        self._record("scores", scores)
        self._record("attention", attn)
        context = ops.transpose(context, (0, 2, 1, 3))              # (N, T, H, dv)
        self._record("context", context)
        self._q, self._k, self._v, self._attn, self._drop, self._ctx = (
            q, k, v, attn, drop, context)
        w_o = self.params["attention_output/kernel"]
        c2 = ops.reshape(context, (n * t, self.num_heads * self.value_dim))
        w_o2 = ops.reshape(w_o, (c2.shape[1], w_o.shape[-1]))
        out = ops.matmul(c2, w_o2)                                  # (NT, H·dv) @ (H·dv, Do)
        if self.use_bias:
            out = out + self.params["attention_output/bias"]
        return ops.reshape(out, (n, t, w_o.shape[-1]))

    def _joined(self, part: str) -> Array:
        """The three projections side by side: kernels (D, H·(2k + dv)), or biases."""
        ops = self.ops
        if part == "kernel":
            d = self.params["query/kernel"].shape[0]
            return ops.concatenate([ops.reshape(self.params[f"{p}/kernel"], (d, -1))
                                    for p in _PROJECTIONS], axis=1)
        return ops.concatenate([ops.reshape(self.params[f"{p}/bias"], (-1,))
                                for p in _PROJECTIONS], axis=0)

    def _project(self, x: Array) -> tuple[Array, Array, Array]:
        """q = x·Wq + bq, k = x·Wk + bk, v = x·Wv + bv as one product, split into heads
        (N, H, T, size) each."""
        ops = self.ops
        n, t, d = x.shape
        h, kd = self.num_heads, self.key_dim
        y = ops.matmul(ops.reshape(x, (n * t, d)), self._joined("kernel"))  # (NT, H(2k+dv))
        if self.use_bias:
            y = y + self._joined("bias")
        cuts = ((0, h * kd, kd), (h * kd, 2 * h * kd, kd), (2 * h * kd, y.shape[1],
                                                              self.value_dim))
        return tuple(ops.transpose(ops.reshape(y[:, a:b], (n, t, h, size)), (0, 2, 1, 3))
                     for a, b, size in cuts)  # type: ignore[return-value]

    # backward ------------------------------------------------------------------
    def backward(self, grad_out: Array) -> Array:
        ops = self.ops
        x, n, t = self._x, grad_out.shape[0], grad_out.shape[1]
        h, dv = self.num_heads, self.value_dim
        w_o = self.params["attention_output/kernel"]
        g2 = ops.reshape(grad_out, (n * t, w_o.shape[-1]))          # (NT, Do)
        c2 = ops.reshape(self._ctx, (n * t, h * dv))
        self._accumulate("attention_output/kernel", ops.reshape(c2.T @ g2, tuple(w_o.shape)))
        if self.use_bias:
            self._accumulate("attention_output/bias", ops.sum(g2, axis=0))
        g_ctx = ops.matmul(g2, ops.reshape(w_o, (h * dv, -1)).T)    # (NT, Do) @ (Do, H·dv)
        g_ctx = ops.transpose(ops.reshape(g_ctx, (n, t, h, dv)), (0, 2, 1, 3))  # (N, H, T, dv)
        # dL/dv = (A⊙drop)ᵀ·g; dL/dA = g·vᵀ ⊙ drop; dL/dS = A ⊙ (dL/dA − Σ dL/dA ⊙ A);
        # dL/dq = dL/dS·k/√k; dL/dk = dL/dSᵀ·q/√k   (one backend kernel)
        g_q, g_k, g_v, g_attn = ops.attention_backward(
            self._q, self._k, self._v, self._attn, self._drop, g_ctx,
            1.0 / math.sqrt(self.key_dim), self._trace is not None)
        self._record("grad_attention", g_attn)
        return self._project_backward(x, (g_q, g_k, g_v))

    def _project_backward(self, x: Array, grads: tuple[Array, Array, Array]) -> Array:
        """The three projections' gradients from dL/d(heads) (N, H, T, size), as one
        product each for the kernels and dL/dx; returns dL/dx."""
        ops = self.ops
        n, t, d = x.shape
        g = ops.concatenate([ops.reshape(ops.transpose(gi, (0, 2, 1, 3)), (n * t, -1))
                             for gi in grads], axis=1)              # (NT, H(2k+dv))
        gw = ops.reshape(x, (n * t, d)).T @ g                       # (D, NT) @ (NT, H(2k+dv))
        gb = ops.sum(g, axis=0) if self.use_bias else None
        start = 0
        for proj in _PROJECTIONS:
            shape = tuple(self.params[f"{proj}/kernel"].shape)
            width = shape[1] * shape[2]
            self._accumulate(f"{proj}/kernel", ops.reshape(gw[:, start:start + width], shape))
            if gb is not None:
                self._accumulate(f"{proj}/bias", ops.reshape(gb[start:start + width], shape[1:]))
            start += width
        return ops.reshape(g @ self._joined("kernel").T, (n, t, d))  # (NT, ·) @ (·, D)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "use_bias": self.use_bias, "causal": self.causal,
                "dropout": self.dropout, "output_dim": self.output_dim}


class PositionalEmbedding(Layer):
    """out[n, t] = x[n, t] + P[t]: a learned vector per position, added to the tokens.

    Attention treats its input as a set; adding P tells it where each token sits.
    Put it after an ``Embedding`` (tokens) so the model sees token + position
    (keras_hub's ``PositionEmbedding``, with the addition done here).

    Args:
        max_length: longest sequence T_max; inputs may be shorter (positions 0..T−1 are used).
        output_dim: feature size D; must equal the input's last axis.
        embeddings_initializer: Keras name; default glorot_uniform.

    Shapes: embeddings (max_length, output_dim); input and output (N, T, D).

    Example:
        >>> Sequential([Input((16,)), Embedding(27, 32), PositionalEmbedding(16, 32)])
    """

    formula = "out[t] = x[t] + P[t]"

    def __init__(self, max_length: int, output_dim: int,
                 embeddings_initializer: Any = "glorot_uniform", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = _positive_int("max_length", max_length)
        self.output_dim = _positive_int("output_dim", output_dim)
        self.embeddings_initializer = embeddings_initializer

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 2, "Put it after an Embedding layer.")
        t, d = input_shape
        if d != self.output_dim or t > self.max_length:
            raise ShapeError(
                f"PositionalEmbedding {self.name!r} adds ({self.max_length}, {self.output_dim}) "
                f"positions to inputs of at most that shape; received (batch, {t}, {d})"
            )
        self.add_weight("embeddings", (self.max_length, self.output_dim),
                        self.embeddings_initializer, rng)
        super().build(input_shape, rng)

    def forward(self, x: Array, training: bool = False) -> Array:
        self._t = x.shape[1]
        return x + self.params["embeddings"][: self._t]  # (N, T, D) + (T, D)

    def backward(self, grad_out: Array) -> Array:
        g = self.ops.sum(grad_out, axis=0)  # (T, D)
        self._accumulate("embeddings", self.ops.pad(g, [(0, self.max_length - self._t), (0, 0)]))
        return grad_out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_length": self.max_length,
                "output_dim": self.output_dim}


class GlobalAveragePooling1D(Layer):
    """out[n] = (1/T) Σ_t x[n, t]: (N, T, D) → (N, D), e.g. before a classifier head."""

    formula = "out = mean_t x[t]"

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 2, "It averages a sequence (batch, time, features).")
        super().build(input_shape, rng)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[-1],)

    def forward(self, x: Array, training: bool = False) -> Array:
        self._t = x.shape[1]
        return self.ops.mean(x, axis=1)

    def backward(self, grad_out: Array) -> Array:
        g = self.ops.expand_dims(grad_out * (1.0 / self._t), 1)  # (N, 1, D)
        return self.ops.broadcast_to(g, (g.shape[0], self._t, g.shape[2]))


class _Joined(MutableMapping[str, Any]):
    """A live ``{"child/name": value}`` view of the children's ``params`` or ``grads``.

    Reads and writes go to the child's own dict, so the optimizer, ``set_weights``
    and ``zero_grad`` working on the parent update the sub-layers in place.
    """

    def __init__(self, children: dict[str, Layer], attr: str) -> None:
        self._children, self._attr = children, attr

    def _split(self, key: str) -> tuple[dict[str, Any], str]:
        prefix, _, name = key.partition("/")
        child = self._children.get(prefix)
        table = getattr(child, self._attr) if child is not None else {}
        if name not in table:
            raise KeyError(key)
        return table, name

    def __getitem__(self, key: str) -> Any:
        table, name = self._split(key)
        return table[name]

    def __setitem__(self, key: str, value: Any) -> None:
        table, name = self._split(key)
        table[name] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("a layer's parameters cannot be removed")

    def __iter__(self) -> Iterator[str]:
        for prefix, child in self._children.items():
            for name in getattr(child, self._attr):
                yield f"{prefix}/{name}"

    def __len__(self) -> int:
        return sum(len(getattr(c, self._attr)) for c in self._children.values())


class TransformerBlock(Layer):
    """A pre-LN transformer block (minGPT's): attention, then a feed-forward net, each residual.

        h = x + Dropout(MHSA(LN1(x)))
        y = h + Dropout(W2·act(W1·LN2(h) + b1) + b2)

    Normalising *before* each sub-layer keeps the residual path an identity, which
    trains stably without a learning-rate warm-up.

    Args:
        num_heads: attention heads.
        key_dim: size of each head's query/key/value.
        ff_dim: hidden size of the feed-forward net.
        causal: mask attention to later positions (language models).
        dropout: rate for the attention weights and both residual branches.
        activation: the feed-forward activation (any ``Dense`` activation name).
        epsilon: the layer norms' epsilon.

    Sub-layers (names prefix their parameters and trace keys): ``ln1``
    (LayerNormalization), ``attn`` (MultiHeadSelfAttention), ``ln2``, ``ff1``
    (Dense ff_dim), ``ff2`` (Dense D). ``params``, ``grads`` and ``get_weights``
    list ln1/gamma, ln1/beta, attn/query/kernel, attn/query/bias, attn/key/…,
    attn/value/…, attn/attention_output/kernel, attn/attention_output/bias,
    ln2/gamma, ln2/beta, ff1/kernel, ff1/bias, ff2/kernel, ff2/bias.
    Trace keys are the sub-layers' prefixed (``attn/attention``, ``ff1/z`` …), plus
    ``attention`` itself for the attention heatmaps.

    Example:
        >>> TransformerBlock(num_heads=2, key_dim=16, ff_dim=64, causal=True)
    """

    formula = "h = x + MHSA(LN(x));  y = h + FFN(LN(h))"

    def __init__(self, num_heads: int, key_dim: int, ff_dim: int, causal: bool = True,
                 dropout: float = 0.0, activation: Any = "relu", epsilon: float = 1e-3,
                 **kwargs: Any) -> None:
        self._children: dict[str, Layer] = {}
        super().__init__(**kwargs)
        self.num_heads = _positive_int("num_heads", num_heads)
        self.key_dim = _positive_int("key_dim", key_dim)
        self.ff_dim = _positive_int("ff_dim", ff_dim)
        self.causal = bool(causal)
        self.dropout = _check_rate(dropout)
        self.activation_name = activation
        self.epsilon = float(epsilon)
        check_activation_name(activation)
        self.params = _Joined(self._children, "params")  # type: ignore[assignment]
        self.grads = _Joined(self._children, "grads")  # type: ignore[assignment]

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for child in self._children.values():
            child.trainable = self._trainable

    def build(self, input_shape: Shape, rng: np.random.Generator) -> None:
        check_rank(self, input_shape, 2, "Put an Embedding (and PositionalEmbedding) before it.")
        d = input_shape[-1]
        kw = {"trainable": self._trainable}
        self._children.clear()
        self._children.update(
            ln1=LayerNormalization(epsilon=self.epsilon, name=f"{self.name}/ln1", **kw),
            attn=MultiHeadSelfAttention(self.num_heads, self.key_dim, causal=self.causal,
                                        dropout=self.dropout, name=f"{self.name}/attn", **kw),
            drop1=Dropout(self.dropout, name=f"{self.name}/drop1", **kw),
            ln2=LayerNormalization(epsilon=self.epsilon, name=f"{self.name}/ln2", **kw),
            ff1=Dense(self.ff_dim, activation=self.activation_name, name=f"{self.name}/ff1", **kw),
            ff2=Dense(d, name=f"{self.name}/ff2", **kw),
            drop2=Dropout(self.dropout, name=f"{self.name}/drop2", **kw),
        )
        shape = tuple(input_shape)
        for child in self._children.values():
            child.ops = self.ops
            child.build(shape, rng)
            shape = child.output_shape  # type: ignore[assignment]
        super().build(input_shape, rng)

    def generators(self) -> dict[str, np.random.Generator]:
        return {f"{key}/{name}": gen for key, child in self._children.items()
                for name, gen in child.generators().items()}

    def forward(self, x: Array, training: bool = False) -> Array:
        c = self._children
        tracing = self._trace is not None
        for child in c.values():
            child._trace = {} if tracing else None
        a = c["ln1"].forward(x, training)
        a = c["drop1"].forward(c["attn"].forward(a, training), training)
        h = x + a                                                   # (N, T, D)
        f = c["ff2"].forward(c["ff1"].forward(c["ln2"].forward(h, training), training), training)
        y = h + c["drop2"].forward(f, training)
        if tracing:
            self._gather_traces()
        return y

    def backward(self, grad_out: Array) -> Array:
        c = self._children
        g = c["drop2"].backward(grad_out)
        g_h = grad_out + c["ln2"].backward(c["ff1"].backward(c["ff2"].backward(g)))
        g = c["attn"].backward(c["drop1"].backward(g_h))
        grad_x = g_h + c["ln1"].backward(g)
        if self._trace is not None:
            self._gather_traces()
        return grad_x

    def _gather_traces(self) -> None:
        for prefix, child in self._children.items():
            for key, value in (child._trace or {}).items():
                self._record(f"{prefix}/{key}", value)
        if "attn/attention" in self._trace:  # type: ignore[operator]
            self._record("attention", self._trace["attn/attention"])  # type: ignore[index]

    @property
    def sublayers(self) -> list[Layer]:
        """The sub-layers in order (ln1, attn, drop1, ln2, ff1, ff2, drop2)."""
        return list(self._children.values())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "ff_dim": self.ff_dim, "causal": self.causal, "dropout": self.dropout,
                "activation": self.activation_name, "epsilon": self.epsilon}
