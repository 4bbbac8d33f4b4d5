"""The gpt-shakespeare preset on the real Tiny Shakespeare (skipped when it is not at hand)."""

from __future__ import annotations

import pytest

from nntui.architectures import build_session
from nntui.presets import load_preset


def test_gpt_preset_builds_on_tiny_shakespeare_and_its_snapshot_writes(
        shared_tinyshakespeare) -> None:
    spec = load_preset("gpt-shakespeare", [f"dataset.data_dir='{shared_tinyshakespeare}'",
                                           "dataset.n_samples=32", "train.epochs=1",
                                           "train.validation_split=0.01"])  # a fast test
    session = build_session(spec)
    assert session.model.output_shape == (None, 64, 65)  # 65 characters, as nanoGPT counts them
    assert len(session.x_val) == 174  # the held-out hundredth tiled by 64-character windows
    trainer = session.trainer(snapshot_every=1, on_divergence="raise")
    snaps = []
    trainer.subscribe(lambda e: snaps.append(e) if type(e).__name__ == "SnapshotTaken" else None)
    history = trainer.run()
    assert len(history.history["val_loss"]) == 1
    extras = snaps[0].extras
    assert extras["prompt"] == "ROMEO:\n" and len(extras["sample"]) == 120


@pytest.mark.slow  # several minutes on two cores
def test_gpt_preset_reaches_its_validation_loss(shared_tinyshakespeare) -> None:
    spec = load_preset("gpt-shakespeare", [f"dataset.data_dir='{shared_tinyshakespeare}'"])
    history = build_session(spec).trainer(snapshot_every=0, on_divergence="raise").run()
    assert history.history["val_loss"][-1] <= spec.expect.max
