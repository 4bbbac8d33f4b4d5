"""The GAN step and frozen layers: what the speed-ups skip is only what is thrown away."""

from __future__ import annotations

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.engine.gan import GAN


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Dense(4, activation="tanh"), (5, 3)),
    (lambda: layers.Conv2D(2, 3, padding="same", activation="relu"), (2, 6, 6, 3)),
])
def test_frozen_layer_passes_the_same_gradient_back_and_computes_none(make, shape) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    out = {}
    for trainable in (True, False):
        model = nntui.Sequential([nntui.Input(shape[1:]), make()], backend="numpy", seed=0)
        model.build()
        layer = model.layers[0]
        layer.trainable = trainable
        y = layer.forward(x, training=True)
        out[trainable] = (layer.backward(np.ones_like(y)), dict(layer.grads))
    np.testing.assert_array_equal(out[True][0], out[False][0])
    assert all(g is not None for g in out[True][1].values())
    assert all(g is None for g in out[False][1].values())


def _gan() -> GAN:
    g = nntui.Sequential([nntui.Input((4,)), layers.Dense(8, activation="relu"),
                          layers.Dense(2)], backend="numpy", seed=0)
    d = nntui.Sequential([nntui.Input((2,)), layers.Dense(8, activation="leaky_relu"),
                          layers.Dense(8, activation="relu"),
                          layers.Dense(1, activation="sigmoid")], backend="numpy", seed=1)
    g.build()
    d.build()
    gan = GAN(g, d, 4, seed=0)
    gan.compile("adam", "adam")
    return gan


def test_gan_step_trains_both_and_restores_the_discriminators_flags() -> None:
    gan = _gan()
    gan.d.layers[1].trainable = False  # a user's frozen D layer stays frozen
    before_g = [w.copy() for w in gan.g.get_weights()]
    before_d = [w.copy() for w in gan.d.get_weights()]
    x = np.random.default_rng(5).standard_normal((16, 2)).astype(np.float32)
    gan.train_step(x)
    assert [layer.trainable for layer in gan.d.layers] == [True, False, True]
    moved = [not np.array_equal(a, b) for a, b in zip(before_g, gan.g.get_weights(), strict=True)]
    assert all(moved)
    changed = [not np.array_equal(a, b) for a, b in zip(before_d, gan.d.get_weights(), strict=True)]
    assert changed == [True, True, False, False, True, True]  # the frozen layer kept its own


def test_the_discriminator_keeps_the_gradients_its_update_used() -> None:
    """After a step D's layers hold the gradients of D's own step (real → 1 plus fake → 0),
    the ones its optimizer applied, so a snapshot shows them instead of nothing (norm 0)."""
    from nntui.architectures import build_session
    from nntui.engine.trace import recorded_update
    from nntui.presets import load_preset

    gan = build_session(load_preset("gan-gaussians", overrides=["dataset.n_samples=64"])).model
    x = np.random.default_rng(5).standard_normal((16, 2)).astype(np.float32)
    update = recorded_update(gan.layers, gan.optimizers(), lambda: gan.train_step(x), {})
    for layer in gan.d.layers:
        for name, grad in layer.grads.items():
            assert grad is not None, f"{layer.name}/{name}"
            np.testing.assert_array_equal(grad, update.grads[f"{layer.name}/{name}"])
