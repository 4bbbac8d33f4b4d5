"""NaN divergence: stop at once, say what happened and what to try, exit 3, lose nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.engine.learner import global_norms
from nntui.engine.model import Sequential
from nntui.errors import TrainingDiverged
from nntui.presets import load_preset
from nntui.runlog import load_checkpoint
from nntui.runlog.gradient_watch import GradientWatch
from nntui.runlog.model_state import restore_state
from nntui.runlog.run_checkpoint import CheckpointWriter
from tests.robustness.helpers import (
    assert_finite_checkpoint,
    assert_logs_parse,
    only_run,
    run_cli,
)

DIVERGE = ["--set", "train.optimizer=sgd", "--set", "train.learning_rate=50"]


def _last_line(err: str) -> str:
    return [ln for ln in err.splitlines() if ln.startswith("nntui: error:")][-1]


def test_diverging_run_stops_at_once_with_exit_3_and_what_to_try(tmp_path, capsys) -> None:
    code, _, err = run_cli(["train", "mlp-spiral", *DIVERGE, "--quiet",
                            "--log-dir", str(tmp_path / "runs")], capsys)
    assert code == 3, err
    line = _last_line(err)
    assert "training diverged at step" in line and "nan" in line.lower()
    assert "--set train.learning_rate=5" in line and "--set train.clipnorm=1.0" in line
    assert "Traceback" not in err and "RuntimeWarning" not in err  # no wall of numpy warnings
    assert err.count("gradients are exploding") == 1  # flagged before it overflowed, once
    run = only_run(tmp_path / "runs")
    rows = assert_logs_parse(run)
    steps = [r for r in rows if r["kind"] == "step"]
    # The diverging step's own row comes before (or, today, instead of) the diverged row.
    assert rows[-1]["kind"] == "diverged" and rows[-1]["step"] - steps[-1]["step"] in (0, 1)
    assert steps[-1]["step"] < 38  # stopped in the first epoch, not after 40 epochs


def test_divergence_keeps_the_last_good_checkpoint_and_it_loads(tmp_path, capsys) -> None:
    base = tmp_path / "runs"
    code, _, err = run_cli(["train", "mlp-spiral", "--epochs", "2", "--quiet",
                            "--log-dir", str(base)], capsys)
    assert code == 0, err
    run = only_run(base)
    good = load_checkpoint(run)
    code, _, err = run_cli(["train", "mlp-spiral", "--resume", str(run), "--epochs", "40",
                            *DIVERGE, "--quiet"], capsys)
    assert code == 3, err
    assert f"the last good checkpoint (step {good.step}) is kept in {run}" in _last_line(err)
    ckpt = assert_finite_checkpoint(run)
    assert (ckpt.step, ckpt.epoch) == (good.step, good.epoch)
    for name, a in good.arrays.items():
        np.testing.assert_array_equal(ckpt.arrays[name], a)
    session = build_session(load_preset(str(run / "config.toml")))
    restore_state(session.model, ckpt.arrays)  # it still fits the model
    rows = assert_logs_parse(run)
    assert rows[-1]["kind"] == "diverged"


def test_nan_weights_after_a_step_with_a_finite_loss_end_the_run_without_a_checkpoint(
        tmp_path, capsys, monkeypatch) -> None:
    """The step's loss comes from the weights before the update; the update broke them."""
    per_epoch = build_session(load_preset("mlp-xor")).trainer().steps_per_epoch
    real = Sequential.train_step
    calls = {"n": 0}

    def poisoning(self, xb, yb):
        loss = real(self, xb, yb)
        calls["n"] += 1
        if calls["n"] == 2 * per_epoch:  # the last step of epoch 2
            self.layers[0].params["kernel"] = self.layers[0].params["kernel"] * np.nan
        return loss

    monkeypatch.setattr(Sequential, "train_step", poisoning)
    code, _, err = run_cli(["train", "mlp-xor", "--epochs", "5", "--quiet",
                            "--log-dir", str(tmp_path / "runs")], capsys)
    assert code == 3, err
    line = _last_line(err)
    assert "weights became NaN or infinite" in line
    assert f"last good checkpoint (step {per_epoch})" in line
    run = only_run(tmp_path / "runs")
    ckpt = assert_finite_checkpoint(run)
    assert (ckpt.step, ckpt.epoch) == (per_epoch, 1)
    assert assert_logs_parse(run)[-1]["kind"] == "diverged"


def test_checkpoint_writer_refuses_non_finite_optimizer_state_too(tmp_path) -> None:
    session = build_session(load_preset("mlp-xor", ["train.epochs=1"]))
    trainer = session.trainer(on_divergence="raise")
    trainer.run()
    seen: list = []

    class Logger:
        run_dir = tmp_path

    writer = CheckpointWriter(Logger(), trainer)
    trainer.subscribe(seen.append)
    slots = next(iter(session.model.optimizer.state.values()))
    slots["v"] = slots["v"] + np.inf
    with pytest.raises(TrainingDiverged, match="m/opt/"):
        writer(ev.EpochCompleted(2, 20, {"loss": 0.1}, 1.0))
    assert not list(tmp_path.iterdir()) and isinstance(seen[-1], ev.TrainingDivergedEvent)
    writer(ev.TrainingFinished(20, 2, {}))  # after divergence nothing is written
    assert not list(tmp_path.iterdir())


def test_gradient_watch_ignores_one_spike_and_warns_once_on_sustained_growth() -> None:
    watch = GradientWatch()
    assert all(watch.update(s, 1.0 + 0.01 * (s % 3)) is None for s in range(1, 31))
    assert watch.update(31, 400.0) is None and watch.exploding  # an LSTM-style spike
    assert watch.update(32, 1.0) is None and not watch.exploding
    norms = (200, 300, 500, 900)
    warnings = [watch.update(s, n) for s, n in zip(range(33, 37), norms, strict=True)]
    first = next(w for w in warnings if w is not None)
    assert first.step == 35 and first.ratio > 100
    assert "clipnorm" in first.message() and "lower learning rate" in first.message()
    assert watch.first is first


def test_gradient_watch_calls_tiny_wandering_norms_of_a_converged_net_calm() -> None:
    """After convergence the norm shrinks to ~1e-11 and jumps 100x between steps: no
    flag, no warning (below the floor), and the median keeps following the norms."""
    watch = GradientWatch()
    rng = np.random.default_rng(0)
    for s in range(1, 21):
        assert watch.update(s, 0.5) is None
    norms = 10.0 ** rng.uniform(-13, -9, 500)  # four decades of noise
    flagged = [watch.update(s, n) is not None or watch.exploding
               for s, n in enumerate(norms, start=21)]
    assert not any(flagged)
    assert watch.median < 1e-8  # the 0.5s have left the window
    assert watch.update(1000, 5e3) is not None  # the absolute limit still holds


@pytest.mark.parametrize("norm", [math.inf, math.nan, 5e3])
def test_gradient_watch_flags_non_finite_and_huge_norms_at_once(norm: float) -> None:
    warning = GradientWatch().update(1, norm)
    assert warning is not None and "step 1" in warning.message()


def test_global_norms_reads_every_optimizer_of_a_gan() -> None:
    session = build_session(load_preset("gan-gaussians", ["train.epochs=1"]))
    session.model.g.optimizer.last_global_norm = 2.0
    session.model.d.optimizer.last_global_norm = 3.0
    assert global_norms(session.model) == [2.0, 3.0]
