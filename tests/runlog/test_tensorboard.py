from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.engine.events import EpochCompleted, SnapshotTaken, StepCompleted, TrainingStarted
from nntui.runlog import RunLogger
from tests.runlog.events_fixture import event_stream

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator",
    reason="tensorboard (the reader) is not installed",
)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, object]:
    run_dir = tmp_path_factory.mktemp("run")
    events = event_stream()
    with RunLogger(run_dir) as log:
        for event in events:
            log.handle(event)
    acc = event_accumulator.EventAccumulator(
        str(run_dir / "tb"),
        size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0},
    )
    acc.Reload()
    return events, acc


def scalars(acc: object, tag: str) -> list[tuple[int, float]]:
    return [(e.step, e.value) for e in acc.Scalars(tag)]  # type: ignore[attr-defined]


def test_step_scalars_read_back(logged: tuple[list, object]) -> None:
    events, acc = logged
    steps = [e for e in events if isinstance(e, StepCompleted)]
    for name in ("loss", "accuracy"):
        got = scalars(acc, f"batch/{name}")
        assert [s for s, _ in got] == [e.step for e in steps]
        np.testing.assert_allclose([v for _, v in got], [e.metrics[name] for e in steps], rtol=1e-6)
    lr = scalars(acc, "batch/learning_rate")
    np.testing.assert_allclose([v for _, v in lr], [e.learning_rate for e in steps], rtol=1e-6)
    sps = scalars(acc, "batch/samples_per_second")
    np.testing.assert_allclose([v for _, v in sps], [e.samples_per_second for e in steps])


def test_epoch_scalars_share_the_global_step_axis(logged: tuple[list, object]) -> None:
    events, acc = logged
    epochs = [e for e in events if isinstance(e, EpochCompleted)]
    for name in ("loss", "accuracy", "val_loss"):
        got = scalars(acc, f"epoch/{name}")
        assert [s for s, _ in got] == [3, 6]
        expected = [e.metrics[name] for e in epochs]
        np.testing.assert_allclose([v for _, v in got], expected, rtol=1e-6)


def test_weight_and_gradient_histograms_read_back(logged: tuple[list, object]) -> None:
    events, acc = logged
    snaps = [e for e in events if isinstance(e, SnapshotTaken)]
    for prefix, field in (("weights", "weights"), ("grads", "grads")):
        for param in ("kernel", "bias"):
            hist = acc.Histograms(f"{prefix}/dense/{param}")  # type: ignore[attr-defined]
            assert [h.step for h in hist] == [s.step for s in snaps]
            for h, snap in zip(hist, snaps, strict=True):
                array = getattr(snap.layers[0], field)[param]
                value = h.histogram_value
                assert value.num == array.size
                np.testing.assert_allclose(
                    [value.min, value.max, value.sum, value.sum_squares],
                    [array.min(), array.max(), array.sum(), (array**2).sum()],
                    rtol=1e-6,
                    atol=1e-12,
                )
                assert sum(value.bucket) == array.size
    activations = acc.Histograms("activations/dense")  # type: ignore[attr-defined]
    assert [h.histogram_value.num for h in activations] == [20, 20]
    np.testing.assert_allclose(
        [v for _, v in scalars(acc, "grad_norm/dense")], [s.layers[0].grad_norm for s in snaps]
    )
    assert [v for _, v in scalars(acc, "dead_fraction/dense")] == [0.125, 0.125]


def test_non_finite_weights_are_left_out_of_histograms(tmp_path: Path) -> None:
    from tests.runlog.events_fixture import snapshot

    snap = snapshot(1, 1)
    snap.layers[0].weights["kernel"][0, 0] = np.nan
    snap.layers[0].weights["bias"][:] = np.inf
    with RunLogger(tmp_path) as log:
        log.handle(snap)
    acc = event_accumulator.EventAccumulator(str(tmp_path / "tb"))
    acc.Reload()
    assert acc.Histograms("weights/dense/kernel")[0].histogram_value.num == 7
    assert "weights/dense/bias" not in acc.Tags()["histograms"]


def test_resumed_run_hides_the_interrupted_sessions_later_points(tmp_path: Path) -> None:
    with RunLogger(tmp_path) as log:
        for n in range(1, 6):
            log.handle(StepCompleted(n, 1, n, {"loss": float(n)}, 0.1, 1.0, 0.1))
    with RunLogger(tmp_path) as log:  # resumed from a checkpoint at step 3
        log.handle(TrainingStarted("r", "numpy", 1, 5, start_step=3))
        for n in (4, 5):
            log.handle(StepCompleted(n, 1, n, {"loss": 10.0 * n}, 0.1, 1.0, 0.1))
    acc = event_accumulator.EventAccumulator(str(tmp_path / "tb"))
    acc.Reload()
    assert len(list((tmp_path / "tb").iterdir())) == 2
    assert scalars(acc, "batch/loss") == [(1, 1.0), (2, 2.0), (3, 3.0), (4, 40.0), (5, 50.0)]
