"""The encoder–decoder learner: every part's gradients against finite differences (so the
memory's gradient reaches the encoder), greedy and beam decoding, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.layers import get_layer_class as L
from nntui.engine.model import Input, Sequential
from nntui.engine.seq2seq import Seq2Seq
from nntui.runlog.model_state import restore_state, state_arrays
from tests.engine.gradcheck import rel_error

V, S, T, D, H = 7, 4, 3, 6, 2


def tiny(seed: int = 0, dtype: str = "float64") -> Seq2Seq:
    def seq(layers: list, k: int) -> Sequential:
        m = Sequential(layers, backend="numpy", seed=seed + k, dtype=dtype)
        m.build()
        return m

    enc = seq([Input((S,)), L("Embedding")(V, D), L("PositionalEmbedding")(S, D),
               L("TransformerBlock")(H, 3, 8, causal=False), L("LayerNormalization")()], 0)
    emb = seq([Input((T,)), L("Embedding")(V, D), L("PositionalEmbedding")(T, D)], 1)
    dec = seq([Input((T + S, D)), L("TransformerDecoderBlock")(H, 3, 8, memory_length=S),
               L("Cropping1D")((0, S)), L("LayerNormalization")(),
               L("Dense")(V, activation="softmax")], 2)
    model = Seq2Seq(enc, emb, dec, start=0)
    model.compile(["adam", "adam", "adam"])
    return model


def data(n: int = 5, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(1, V, (n, T))
    x = np.concatenate([rng.integers(0, V, (n, S)), np.zeros((n, 1), np.int64), y[:, :-1]], 1)
    return x, y


def test_every_parts_gradients_match_finite_differences() -> None:
    model, (x, y) = tiny(), data()
    model.compute_gradients(x, y, training=False)
    rng = np.random.default_rng(3)
    checked = 0
    for tag, part in model.parts():
        for layer in part.layers:
            for name, p in layer.params.items():
                grad = layer.grads[name]
                for flat in rng.choice(p.size, size=min(3, p.size), replace=False):
                    i = np.unravel_index(flat, p.shape)
                    old = p[i]
                    p[i] = old + 1e-6
                    up = model.evaluate_arrays(x, y)["loss"]
                    p[i] = old - 1e-6
                    down = model.evaluate_arrays(x, y)["loss"]
                    p[i] = old
                    numeric = (up - down) / 2e-6
                    if abs(numeric) < 1e-9 and abs(grad[i]) < 1e-9:
                        continue  # a key bias: softmax cancels it exactly
                    assert rel_error(np.array(grad[i]), np.array(numeric)) < 1e-5, (
                        f"{tag}/{layer.name}/{name}{i}: {grad[i]} vs {numeric}")
                    checked += 1
    assert checked > 60


def test_greedy_is_the_width_one_beam_and_beams_score_their_own_log_probability() -> None:
    model, (x, _) = tiny(seed=4), data()
    src = x[:, :S]
    greedy = model.greedy(src)
    for i in range(len(src)):
        ((one, _),) = model.beam(src[i], width=1)
        np.testing.assert_array_equal(one, greedy[i])
    beams = model.beam(src[0], width=3)
    assert [s for _, s in beams] == sorted((s for _, s in beams), reverse=True)
    for ids, score in beams:  # rescore with one teacher-forced pass
        dec_in = np.concatenate([[0], ids[:-1]])[None]
        probs = model.forward(np.concatenate([src[:1], dec_in], axis=1))[0]
        assert score == pytest.approx(np.log(probs[np.arange(T), ids]).sum(), abs=1e-9)


def test_training_lowers_the_loss_and_a_checkpoint_restores_the_outputs() -> None:
    model, (x, y) = tiny(seed=2, dtype="float32"), data(64, seed=5)
    before = model.evaluate_arrays(x, y)["loss"]
    for _ in range(30):
        model.train_step(x, y)
    assert model.evaluate_arrays(x, y)["loss"] < before - 0.3
    twin = tiny(seed=9, dtype="float32")
    restore_state(twin, state_arrays(model))
    np.testing.assert_array_equal(twin.forward(x), model.forward(x))
    assert {tag for tag, _ in model.parts()} == {"enc", "emb", "dec"}
