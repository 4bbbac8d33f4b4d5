"""Plain tests of the dashboard's data: bounded series, history folding, the form."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.app.history import BoundedSeries, RunHistory
from nntui.app.workers import EventBuffer
from nntui.engine import events as ev
from tests.app.fakes import fake_events


@pytest.mark.parametrize("n", [1, 99, 100, 101, 1000, 12_345])
def test_bounded_series_halves_keeps_the_span_and_ends_at_the_last_point(n: int) -> None:
    """Downsampling may thin the middle, never the end: the curves and the gradient-norm
    strips end at the step the run is at."""
    s = BoundedSeries(cap=100, ema=0.5)
    for i in range(n):
        s.add(i, float(i))
    assert len(s) <= 100 and len(s.smooth) == len(s) and s.x[0] == 0 and s.x[-1] == n - 1
    assert s.y[-1] == n - 1 and np.all(np.diff(s.x) > 0)


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


def _layer(step: int) -> ev.LayerSnapshot:
    return ev.LayerSnapshot("out", "Dense", {"kernel": np.full(4, float(step))},
                            {"kernel": np.full(4, 0.1)}, None, 0.2, None)


def test_a_fresh_snapshot_of_a_step_already_shown_replaces_it() -> None:
    """A throttled snapshot and the fresh one of the same step (the run ended there): the
    over-time views hold the step once, the extras are the fresh ones."""
    h = RunHistory()
    h.apply(ev.SnapshotTaken(10, 1, (_layer(10),), {"step": 10, "fresh": False}))
    h.apply(ev.SnapshotTaken(20, 1, (_layer(20),), {"step": 20, "fresh": False}))
    h.apply(ev.SnapshotTaken(20, 1, (_layer(20),), {"step": 20, "fresh": True}, fresh=True))
    assert h.grad_norms["out"].x == [10, 20]
    assert [k[0] for k in h.hist[("out", "weights")]] == [10, 20]
    assert h.extras["fresh"] and h.extras_step == 20 and h.latest("out", "weights")[0] == 20


def test_extras_step_is_the_step_the_panel_data_was_computed_at() -> None:
    """Panel data reused by its throttle keeps its own step, not the snapshot's."""
    h = RunHistory()
    h.apply(ev.SnapshotTaken(40, 2, (_layer(40),), {"step": 30}))
    assert h.extras_step == 30 and h.update_rule is None
    h.apply(ev.SnapshotTaken(50, 2, (_layer(50),), {}, update_rule="the perceptron rule"))
    assert h.extras_step is None and h.update_rule == "the perceptron rule"


def test_a_frozen_layer_has_no_gradient_strip_and_says_frozen() -> None:
    """Weights without gradients (transfer learning's frozen base): no norm series of
    zeros, the table says frozen; the perceptron's layer (no gradients by its rule) is not
    called frozen."""
    h = RunHistory()
    frozen = ev.LayerSnapshot("conv", "Conv2D", {"kernel": np.ones(4)}, {}, None, 0.0, None,
                              trainable=False)
    h.apply(ev.SnapshotTaken(5, 1, (frozen, _layer(5))))
    assert h.layers["conv"].frozen and np.isnan(h.layers["conv"].grad_norm)
    assert list(h.grad_norms) == ["out"] and not h.layers["out"].frozen
    rule = ev.LayerSnapshot("perceptron", "Dense", {"kernel": np.ones(2)}, {}, None,
                            float("nan"), None)
    h.apply(ev.SnapshotTaken(6, 1, (rule,), update_rule="the perceptron rule"))
    assert not h.layers["perceptron"].frozen and "perceptron" not in h.grad_norms
