"""What ``nntui bench`` reports: ratios of medians, per-repeat ratio spread, and the
``--baseline`` worker that trains another checkout beside this one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nntui.commands.bench import Result, ratio_spread, ratios
from nntui.commands.bench_baseline import BaselineRunner
from nntui.commands.bench_frameworks import make_nntui
from nntui.engine.model import Sequential
from nntui.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _result(framework: str, seconds: list[float], model: str = "mlp") -> Result:
    med = sorted(seconds)[len(seconds) // 2]
    return Result(model, framework, 100 / med, 0.0, 0.0, 0.0, seconds)


def test_ratios_are_of_medians_and_spread_of_adjacent_epochs() -> None:
    results = [_result("nntui-numpy", [1.0, 2.0, 4.0]), _result("pytorch", [2.0, 2.0, 2.0]),
               _result("nntui-numpy-snap20", [1.0, 4.0, 8.0])]
    got = ratios(results)
    assert got["mlp: nntui-numpy / pytorch"] == pytest.approx(1.0)  # 2 s against 2 s
    assert got["mlp: snapshots every 20 / off"] == pytest.approx(0.5)  # 4 s against 2 s
    lo, hi = ratio_spread(results)["mlp: nntui-numpy / pytorch"]
    assert (lo, hi) == (pytest.approx(0.5), pytest.approx(2.0))  # 2/4 and 2/1


def test_the_nntui_runner_is_a_plain_fit_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, dict[str, Any]]] = []
    monkeypatch.setattr(Sequential, "fit", lambda self, x, y, **kw: calls.append((len(x), kw)))
    x, y = np.zeros((256, 784), np.float32), np.zeros(256, np.int64)
    make_nntui("mlp", x, y, 128, "numpy")()
    assert calls == [(256, {"batch_size": 128, "epochs": 1, "verbose": 0})]


def test_baseline_must_be_an_nntui_checkout(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--baseline must be a folder .*Received: '"):
        BaselineRunner("mlp", str(tmp_path), "numpy", 256, 128)


def test_baseline_worker_trains_epochs_of_another_checkout() -> None:
    runner = BaselineRunner("lstm", str(ROOT), "numpy", 64, 64)
    try:
        runner()
        runner()  # the worker answers every request
        assert runner.proc.poll() is None
    finally:
        runner.close()
    assert runner.proc.returncode == 0  # it ends when its input closes


def test_the_peak_share_takes_each_epoch_against_the_peak_measured_beside_it() -> None:
    from nntui.commands.bench import _result, train_flops

    gflop = 1000 * train_flops("mlp") / 1e9  # one epoch of 1000 samples
    # the machine halves its speed in the second repeat: epoch and peak alike
    r = _result("mlp", "nntui-numpy", 1000, [1.0, 2.0, 1.0], [gflop / 0.4, gflop / 0.8,
                                                               gflop / 0.4])
    assert r.peak_shares == [pytest.approx(0.4)] * 3 and r.peak_share == pytest.approx(0.4)
    assert r.samples_per_second == pytest.approx(1000.0)  # the median epoch, 1 s
