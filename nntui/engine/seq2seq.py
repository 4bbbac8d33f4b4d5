"""An encoder–decoder transformer ("translation"): three stacks trained as one.

    memory = encoder(source)                      (N, S) ids -> (N, S, D)
    e      = embed(decoder input)                 (N, T) ids -> (N, T, D)
    p      = decoder([e ; memory])                (N, T + S, D) -> (N, T, V) probabilities

The decoder's blocks read the memory through cross-attention
(:class:`~nntui.engine.layers.cross_attention.TransformerDecoderBlock`); its input is
``e`` with the memory appended along time, so its backward returns dL/de and dL/dmemory
side by side and the encoder learns from the second. Training feeds the true previous
target token at each step (teacher forcing); :meth:`Seq2Seq.greedy` writes the output
one token at a time from its own choices, :meth:`Seq2Seq.beam` keeps the ``width``
likeliest partial outputs.

A batch ``x`` holds the source ids and the decoder's input side by side ``(N, S + T)``
(the dataset's layout, :mod:`nntui.data.dates`); ``y`` the targets ``(N, T)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array
from nntui.engine.metrics import DESCRIPTIONS, resolve_metrics
from nntui.engine.model import Sequential
from nntui.engine.optimizers import Optimizer


class _AllRates:
    """Lets the trainer read and change the three optimizers' learning rate together."""

    def __init__(self, model: Seq2Seq) -> None:
        self._model = model

    @property
    def learning_rate(self) -> float:
        return self._model.optimizers()[0].learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        for opt in self._model.optimizers():
            opt.learning_rate = value


class Seq2Seq:
    """Encoder, target embedding and decoder with the trainer's model interface.

    Args:
        encoder: Sequential ``(S,)`` ids -> ``(S, D)``.
        embed: Sequential ``(T,)`` ids -> ``(T, D)`` (token and position embeddings).
        decoder: Sequential ``(T + S, D)`` -> ``(T, V)`` softmax.
        start: the id the decoder's input begins with.
    """

    uses_gradients = True

    def __init__(self, encoder: Sequential, embed: Sequential, decoder: Sequential,
                 start: int, name: str = "seq2seq") -> None:
        self.encoder, self.embed, self.decoder = encoder, embed, decoder
        self.start, self.name = int(start), name
        self.source_length = int(encoder.input_shape[0])  # type: ignore[index]
        self.target_length = int(embed.input_shape[0])  # type: ignore[index]
        self.ops = decoder.ops
        self.rng = decoder.rng
        self.metrics = resolve_metrics(["accuracy"], "sparse_categorical_crossentropy")
        self.record_outputs = False
        self.stop_training = False
        self._last_pred: Array | None = None
        self.optimizer: _AllRates | None = None

    def compile(self, optimizers: list[Optimizer]) -> None:
        """One optimizer per stack (encoder, embed, decoder)."""
        for part, opt in zip((self.encoder, self.embed, self.decoder), optimizers, strict=True):
            part.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
        self.optimizer = _AllRates(self)

    # the learner contract (nntui.engine.learner) -----------------------------------
    @property
    def backend(self) -> str:
        return self.decoder.backend

    @property
    def layers(self) -> list[Any]:
        return self.encoder.layers + self.embed.layers + self.decoder.layers

    @property
    def last_prediction(self) -> Array | None:
        return self._last_pred

    @property
    def layer_outputs(self) -> list[Array]:
        return [*self.encoder.layer_outputs, *self.embed.layer_outputs,
                *self.decoder.layer_outputs]

    def parts(self) -> list[tuple[str, Sequential]]:
        return [("enc", self.encoder), ("emb", self.embed), ("dec", self.decoder)]

    def get_weights(self) -> list[np.ndarray]:
        """Every part's weights in order: encoder, target embedding, decoder."""
        return [w for _, part in self.parts() for w in part.get_weights()]

    def optimizers(self) -> list[Optimizer]:
        return [opt for _, part in self.parts() for opt in part.optimizers()]

    def metric_definitions(self) -> dict[str, str]:
        return {"loss": "the sparse_categorical_crossentropy loss of every output token, "
                        "given the true tokens before it (teacher forcing)",
                "accuracy": "share of output tokens predicted right given the true ones "
                            "before them",
                "exact": "share of held-out inputs whose whole output, written greedily "
                         "from the model's own tokens, is exactly right",
                **{k: DESCRIPTIONS.get(k, k) for k, _ in self.metrics if k != "accuracy"}}

    def prepare(self, x: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
        x = np.asarray(x, dtype=np.int64)
        return x, None if y is None else np.asarray(y, dtype=np.int64)

    def batches(self, x: np.ndarray, y: np.ndarray | None, batch_size: int,
                shuffle: bool = False, rng: np.random.Generator | None = None, *,
                order: np.ndarray | None = None, start: int = 0
                ) -> Iterator[tuple[Array, Array | None]]:
        return self.decoder.batches(x, y, batch_size, shuffle, rng, order=order, start=start)

    # forward and backward ------------------------------------------------------------
    def forward(self, x: Array, training: bool = False) -> Array:
        """``(N, S + T)`` ids -> ``(N, T, V)`` next-token probabilities (teacher forcing)."""
        for part in (self.encoder, self.embed, self.decoder):
            part.record_outputs = self.record_outputs
        s = self.source_length
        memory = self.encoder.forward(x[:, :s], training)            # (N, S, D)
        e = self.embed.forward(x[:, s:], training)                   # (N, T, D)
        return self.decoder.forward(self.ops.concatenate([e, memory], axis=1), training)

    def compute_gradients(self, xb: Array, yb: Array, training: bool = True) -> float:
        """Forward, loss and every layer's gradient (no update); returns the loss."""
        for layer in self.layers:
            layer.zero_grad()
        pred = self.forward(xb, training=training)
        value, grad, fused = self.decoder.compute_loss_and_grad(yb, pred)
        g = self.decoder.backward(grad, fused=fused)                 # (N, T + S, D)
        t = self.target_length
        self.embed.backward(g[:, :t], input_grad=False)              # dL/de
        self.encoder.backward(g[:, t:], input_grad=False)            # dL/dmemory
        self._last_pred = pred
        return self.ops.item(value)

    def train_step(self, xb: Array, yb: Array) -> float:
        loss = self.compute_gradients(xb, yb)
        for part in (self.encoder, self.embed, self.decoder):
            part.apply_gradients()
        return loss

    def evaluate_arrays(self, x: np.ndarray, y: np.ndarray, batch_size: int = 256
                        ) -> dict[str, float]:
        """Teacher-forced loss and accuracy, and ``exact``: greedy outputs all right."""
        ops, losses, accs, exact = self.ops, [], [], []
        for a in range(0, len(x), batch_size):
            xb, yb = x[a:a + batch_size], y[a:a + batch_size]
            pred = self.forward(ops.asarray(xb))
            onehot = ops.one_hot(ops.asarray(yb.reshape(-1)), pred.shape[-1])
            losses.append(ops.item(self.decoder.compiled_loss()(
                ops, ops.reshape(onehot, tuple(pred.shape)), pred)) * len(xb))
            accs.append(float(np.mean(np.argmax(ops.to_numpy(pred), -1) == yb)) * len(xb))
            exact.append(float(np.sum(np.all(self.greedy(xb[:, :self.source_length]) == yb,
                                             axis=1))))
        n = max(len(x), 1)
        return {"loss": sum(losses) / n, "accuracy": sum(accs) / n, "exact": sum(exact) / n}

    # decoding --------------------------------------------------------------------------
    def encode(self, source: np.ndarray) -> Array:
        """The memory ``(N, S, D)`` of sources ``(N, S)`` (inference mode)."""
        return self.encoder.forward(self.ops.asarray(np.asarray(source, np.int64)))

    def step_probs(self, memory: Array, prefix: np.ndarray) -> np.ndarray:
        """P(next token | source, prefix) ``(N, V)`` for prefixes ``(N, k)`` (k ≤ T, the
        first being the start id); the decoder's input is padded past the prefix, which
        its causal self-attention never reads."""
        n, k = prefix.shape
        dec_in = np.full((n, self.target_length), self.start, np.int64)
        dec_in[:, :k] = prefix
        e = self.embed.forward(self.ops.asarray(dec_in))
        probs = self.decoder.forward(self.ops.concatenate([e, memory], axis=1))
        return self.ops.to_numpy(probs)[:, k - 1]

    def greedy(self, source: np.ndarray) -> np.ndarray:
        """The output ``(N, T)`` written one token at a time, each the most probable."""
        memory = self.encode(source)
        prefix = np.full((len(source), 1), self.start, np.int64)
        for _ in range(self.target_length):
            nxt = self.step_probs(memory, prefix).argmax(-1)
            prefix = np.concatenate([prefix, nxt[:, None]], axis=1)
        return prefix[:, 1:]

    def beam(self, source: np.ndarray, width: int = 3) -> list[tuple[np.ndarray, float]]:
        """Beam search for one source ``(S,)``: the ``width`` likeliest outputs with their
        summed log-probabilities, best first."""
        memory = self.encode(np.asarray(source)[None])                # (1, S, D)
        beams: list[tuple[list[int], float]] = [([self.start], 0.0)]
        for _ in range(self.target_length):
            prefixes = np.array([b for b, _ in beams], np.int64)
            mem = self.ops.concatenate([memory] * len(beams), axis=0)
            logp = np.log(np.maximum(self.step_probs(mem, prefixes), 1e-30))
            grown = [(b + [int(t)], s + float(logp[i, t])) for i, (b, s) in enumerate(beams)
                     for t in np.argsort(-logp[i], kind="stable")[:width]]
            beams = sorted(grown, key=lambda bs: -bs[1])[:width]
        return [(np.array(b[1:], np.int64), s) for b, s in beams]
