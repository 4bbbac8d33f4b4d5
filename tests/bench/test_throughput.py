"""The performance targets, as ratios from one short interleaved ``nntui bench`` run.

Run with ``python -m pytest -m bench -n 0 tests/bench`` (not in the default run or CI: it
takes minutes, and wall-clock ratios on a shared machine want a quiet moment).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("torch")

TARGETS = {  # ratio name -> at least
    "mlp: nntui-numpy / pytorch": 1.0,
    "gan: nntui-numpy / pytorch": 1.0,
    "cnn: nntui-numpy / pytorch": 0.7,
    "lstm: nntui-numpy / pytorch": 0.5,
    "gpt: nntui-numpy / pytorch": 0.8,
    "mlp: nntui-numpy / sklearn": 1.2,
    "mlp: nntui-estimator / sklearn": 1.5,  # the same estimator, the same numbers
    "mlp: nntui-numpy / keras": 2.0,
    "cnn: nntui-numpy / keras": 2.0,
    "mlp: snapshots every 20 / off": 0.95,
}
PEAK_SHARE_MLP = 0.40


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    from nntui.commands.bench import MODELS, run_bench

    return run_bench(list(MODELS), ["numpy"], repeats=3, compare=True, log=print)


@pytest.mark.bench
@pytest.mark.parametrize("name,at_least", sorted(TARGETS.items()))
def test_ratio_target(report: dict[str, Any], name: str, at_least: float) -> None:
    ratios = report["ratios"]
    if name not in ratios:
        pytest.skip(f"{name} not measured (framework missing)")
    assert ratios[name] >= at_least, f"{name} = {ratios[name]:.2f}, target >= {at_least}"


@pytest.mark.bench
def test_mlp_reaches_its_share_of_the_gemm_peak(report: dict[str, Any]) -> None:
    (mlp,) = [r for r in report["results"]
              if r["model"] == "mlp" and r["framework"] == "nntui-numpy"]
    assert mlp["peak_share"] >= PEAK_SHARE_MLP, mlp
