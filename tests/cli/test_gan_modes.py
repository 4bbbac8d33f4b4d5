"""Mode collapse, measured: on the ring of 8 gaussians the stable preset covers at least 7
modes and the collapse preset at most 3, for three seeds each."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.engine.mode_coverage import ModeCoverage
from nntui.presets import load_preset


def test_coverage_counts_the_modes_a_sampler_reaches_and_its_good_share() -> None:
    rng = np.random.default_rng(0)
    theta = 2 * np.pi * np.arange(8) / 8
    centres = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    labels = rng.integers(0, 8, 4000)
    real = centres[labels] + 0.05 * rng.standard_normal((4000, 2))
    cov = ModeCoverage.from_labelled(real, labels)
    np.testing.assert_allclose(cov.centres, centres, atol=0.01)
    assert cov.sigma == pytest.approx(0.05, rel=0.05)
    assert cov.measure(real[:2000]) == {"modes": 8.0, "good": pytest.approx(0.99, abs=0.01)}
    collapsed = centres[[2, 2, 2, 5]][rng.integers(0, 4, 2000)] + 0.05 * rng.normal(size=(2000, 2))
    assert cov.measure(collapsed)["modes"] == 2.0
    # two modes with too few samples: 40 of 2000 is under a fifth of the fair 250
    few = np.concatenate([collapsed[:1960], centres[[0]].repeat(40, 0)])
    assert cov.measure(few)["modes"] == 2.0
    blurry = 1.4 * rng.standard_normal((2000, 2))
    assert cov.measure(blurry)["good"] < 0.1


def test_a_gan_on_the_ring_logs_its_coverage_each_epoch() -> None:
    spec = load_preset("gan-gaussians", ["train.epochs=2", "dataset.n_samples=256"])
    session = build_session(spec)
    history = session.trainer(snapshot_every=0).run().history
    assert len(history["modes"]) == len(history["good"]) == 2
    assert 0 <= history["modes"][-1] <= 8 and 0.0 <= history["good"][-1] <= 1.0
    assert "modes" in session.model.metric_definitions()


@pytest.mark.slow  # a few minutes: six GAN trainings of 3000-940 steps
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stable_preset_covers_the_ring_and_the_collapse_preset_does_not(seed: int) -> None:
    covered = {}
    for name in ("gan-gaussians", "gan-gaussians-collapse"):
        spec = load_preset(name, [f"train.seed={seed}"])
        history = build_session(spec).trainer(snapshot_every=0).run().history
        covered[name] = history["modes"][-1]
    assert covered["gan-gaussians"] >= 7 and covered["gan-gaussians-collapse"] <= 3, covered


def test_gan_settings_reach_the_players() -> None:
    spec = load_preset("gan-gaussians", ["dataset.n_samples=64", "model.label_smoothing=0.1",
                                         "model.beta_1=0.5", "train.dropout=0.3"])
    gan = build_session(spec).model
    assert gan.real_target == pytest.approx(0.9)
    assert [opt.beta_1 for opt in gan.optimizers()] == [0.5, 0.5]
    kinds = [type(layer).__name__ for layer in gan.d.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    from nntui.errors import ConfigError

    with pytest.raises(ConfigError, match=r"model.beta_1 must be below 1.*Received: 1.0"):
        build_session(load_preset("gan-gaussians", ["model.beta_1=1.0"]))
    with pytest.raises(ConfigError, match=r"model.label_smoothing must be at most 0.5"):
        build_session(load_preset("gan-gaussians", ["model.label_smoothing=0.7"]))
