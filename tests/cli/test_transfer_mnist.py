"""transfer-mnist on the real MNIST (skipped when the files are not at hand): the base on
digits 0-4, then 50 labelled digits 5-9, beside the same network from scratch."""

from __future__ import annotations

import pytest

from nntui.architectures import build_session
from nntui.presets import load_preset


@pytest.mark.slow  # a base of 8 epochs (once), then three seeds of two small CNNs
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_transferred_model_beats_the_one_from_scratch(shared_mnist, seed, tmp_path_factory,
                                                          monkeypatch) -> None:
    monkeypatch.setenv("NNTUI_DATA_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    spec = load_preset("transfer-mnist", [f"dataset.data_dir='{shared_mnist}'",
                                          f"train.seed={seed}"])
    history = build_session(spec).trainer(snapshot_every=0).run().history
    ours, scratch = history["val_accuracy"][-1], history["scratch_val_accuracy"][-1]
    assert ours >= spec.expect.min and ours > scratch + 0.02, (ours, scratch)
