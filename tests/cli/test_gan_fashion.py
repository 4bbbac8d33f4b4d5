"""gan-fashion, the GAN that draws, on the real Fashion-MNIST (skipped when it is absent).

Whether its drawings are garments is judged by an oracle that never saw the GAN: a
scikit-learn logistic regression trained on the real test images. Recognisable samples
are ones it classifies with confidence, and a G that draws every kind of garment
spreads them over the classes (a collapsed G piles them onto one or two).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.architectures.spec import RunSpec
from nntui.data.mnist import load_fashion_mnist
from nntui.presets import load_preset


def _spec(folder: Path, *more: str) -> RunSpec:
    return load_preset("gan-fashion", [f"dataset.data_dir='{folder}'", *more])


def test_gan_fashion_builds_a_drawing_generator_and_a_batch_aware_discriminator(
        shared_fashion_mnist: Path) -> None:
    # the small test file only; validation_split > 0 keeps its held-out part out of training
    session = build_session(_spec(shared_fashion_mnist, "dataset.source='test'",
                                  "dataset.n_samples=128", "train.epochs=1",
                                  "train.validation_split=0.1"))
    gan = session.model
    assert [type(ly).__name__ for ly in gan.d.layers][-2:] == ["MinibatchStdDev", "Dense"]
    assert gan.real_target == pytest.approx(0.9)
    history = session.trainer(snapshot_every=0, on_divergence="raise").run().history
    assert np.isfinite(history["g_loss"][-1]) and 0.0 < history["d_fake"][-1] < 1.0
    samples = gan.sample(16, np.random.default_rng(1234))
    assert samples.shape == (16, 28, 28, 1)
    assert samples.min() >= 0.0 and samples.max() <= 1.0  # pixels, as the data's


@pytest.mark.slow  # the preset's whole budget: a few minutes on two cores
def test_gan_fashion_draws_garments_of_most_kinds(shared_fashion_mnist: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    real = load_fashion_mnist(data_dir=str(shared_fashion_mnist), seed=0)
    judge = LogisticRegression(max_iter=200).fit(real.x_test.reshape(-1, 784), real.y_test)
    session = build_session(_spec(shared_fashion_mnist))
    session.trainer(snapshot_every=0, on_divergence="raise").run()
    drawn = session.model.sample(1000, np.random.default_rng(7)).reshape(-1, 784)
    p = judge.predict_proba(drawn)
    shares = np.bincount(p.argmax(axis=1), minlength=10) / len(p)
    assert np.median(p.max(axis=1)) >= 0.8, np.median(p.max(axis=1))
    assert (shares >= 0.03).sum() >= 8, shares
