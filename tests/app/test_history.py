"""Plain tests of the dashboard's data: bounded series, history folding, the form."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.app.history import BoundedSeries, RunHistory
from nntui.app.workers import EventBuffer
from nntui.engine import events as ev
from tests.app.fakes import fake_events


def test_bounded_series_halves_and_keeps_the_span() -> None:
    s = BoundedSeries(cap=100)
    for i in range(1000):
        s.add(i, float(i))
    assert len(s) <= 100 and s.x[0] == 0 and s.x[-1] >= 900
    assert np.all(np.diff(s.x) > 0)


def test_history_folds_the_event_stream() -> None:
    h = RunHistory()
    for event in fake_events(steps=120, steps_per_epoch=20):
        h.apply(event)
    assert (h.step, h.epoch, h.total_steps, h.backend) == (120, 6, 200, "numpy")
    assert len(h.step_metrics["loss"]) == 120 and len(h.epoch_metrics["val_loss"]) == 6
    assert h.layer_names() == ["dense_0", "dense_1", "dense_2"]
    assert h.layers["dense_1"].dead == 0.25
    assert h.remaining == pytest.approx(0.8)
    steps, edges = h.histograms("dense_0", "weights", bins=10)
    assert len(steps) == 12 and edges.shape == (11,) and steps[-1][1].sum() == 16


def test_layer_without_weights_has_no_gradient_norm() -> None:
    """A pooling layer's snapshot carries grad_norm 0.0; the table must show "–", not 0."""
    h = RunHistory()
    pool = ev.LayerSnapshot("pool", "MaxPooling2D", {}, {}, np.ones((2, 3)), 0.0, None)
    dense = ev.LayerSnapshot("out", "Dense", {"kernel": np.ones((3, 2))},
                             {"kernel": np.full((3, 2), 0.5)}, np.ones((2, 2)), 1.5, None)
    h.apply(ev.SnapshotTaken(1, 0, (pool, dense)))
    assert np.isnan(h.layers["pool"].grad_norm) and h.layers["out"].grad_norm == 1.5
    assert list(h.grad_norms) == ["out"]


def test_history_states() -> None:
    h = RunHistory()
    h.apply(ev.TrainingDivergedEvent(5, "diverged: lower the learning rate"))
    h.apply(ev.TrainingPaused(5))
    assert h.state == "diverged" and "lower" in h.message
    h.apply(ev.TrainingResumed(5))
    h.apply(ev.TrainingFinished(9, 1, {}, stopped_early=True))
    assert h.state == "stopped"


def test_event_buffer_drains_in_order_without_a_target() -> None:
    buf = EventBuffer()
    events = fake_events(steps=5)
    for e in events:
        buf(e)
    assert buf.drain() == events and buf.drain() == []


def test_watch_pace_shows_in_the_status_and_stretches_the_time_left() -> None:
    from nntui.app.widgets.status_line import status_text

    h = RunHistory()
    for event in fake_events(steps=120, steps_per_epoch=20):
        h.apply(event)
    fast = h.remaining
    assert "(full speed; w: watch pace)" in status_text(h).plain
    h.pace = 10.0
    assert "(watch pace 10/s; w: full speed)" in status_text(h).plain
    assert "(watch 10/s)" in status_text(h, compact=True).plain
    assert h.remaining == max(fast, 80 / 10.0)  # 80 steps left at 10 a second
