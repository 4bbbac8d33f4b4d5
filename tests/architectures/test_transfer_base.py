"""Transfer from a base trained here: the cache and its checksum, the frozen convolutions,
unfreezing, and the from-scratch twin (on the drawn shapes; the MNIST preset is slow)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nntui.architectures import bases, build_session
from nntui.engine.callbacks.transfer import FromScratch, Unfreeze
from nntui.errors import DatasetError
from nntui.presets import load_preset

BASE = ("dataset.n_samples=200", "train.epochs=1")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NNTUI_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_base_is_trained_once_then_read_back_when_its_checksum_matches(cache, monkeypatch
                                                                         ) -> None:
    first, record = bases.load_base("cnn-shapes", overrides=BASE)
    (weights,) = (cache / "bases").glob("cnn-shapes-*.npz")
    manifest = json.loads(weights.with_suffix(".json").read_text())
    assert manifest["sha256"] == record["sha256"] == bases.sha256_file(weights)
    assert manifest["config"]["dataset"]["n_samples"] == 200
    monkeypatch.setattr(bases, "train_base", lambda *a: pytest.fail("trained again"))
    again, _ = bases.load_base("cnn-shapes", overrides=BASE)
    for a, b in zip(first.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_same_config_trains_the_same_bytes_and_a_changed_file_is_refused(cache) -> None:
    _, record = bases.load_base("cnn-shapes", overrides=BASE)
    (weights,) = (cache / "bases").glob("*.npz")
    weights.unlink()
    _, again = bases.load_base("cnn-shapes", overrides=BASE)
    assert again["sha256"] == record["sha256"]  # reproducible on this machine
    data = bytearray(weights.read_bytes())
    data[-100] ^= 1
    weights.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"SHA-256 .* differs .*delete both files"):
        bases.load_base("cnn-shapes", overrides=BASE)


def shapes_transfer(*extra: str):
    spec = load_preset("transfer-shapes", ["dataset.n_samples=200", "train.epochs=2",
                                           "model.base='cnn-shapes'", "model.conv=[8, 16]",
                                           "model.baseline='from_scratch'", *extra])
    return build_session(spec)


def test_the_base_lends_its_convolutions_frozen_and_a_twin_trains_from_scratch(
        monkeypatch) -> None:
    import nntui.architectures.transfer as transfer  # a small base: 200 shapes, one epoch

    monkeypatch.setattr(transfer, "load_base",
                        lambda preset, data_dir=None: bases.load_base(preset, data_dir, BASE))
    session = shapes_transfer("model.unfreeze_epoch=2", "model.unfreeze_rate=0.5")
    kinds = [(type(ly).__name__, ly.trainable) for ly in session.model.layers]
    assert kinds[:5] == [("Conv2D", False), ("MaxPooling2D", False), ("Conv2D", False),
                         ("MaxPooling2D", False), ("Flatten", False)]
    assert kinds[-1] == ("Dense", True)
    trainer = session.trainer(snapshot_every=0)
    cbs = trainer.callbacks.callbacks
    assert any(isinstance(c, Unfreeze) for c in cbs) and any(isinstance(c, FromScratch)
                                                             for c in cbs)
    history = trainer.run().history
    assert len(history["scratch_val_accuracy"]) == 2
    assert all(ly.trainable for ly in session.model.layers)  # unfrozen for epoch 2
    assert session.model.optimizer.learning_rate == pytest.approx(0.003 * 0.5)
