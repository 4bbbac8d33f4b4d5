"""Exact resume: a run killed at random points (SIGINT, SIGTERM, SIGKILL) and resumed
ends with the same steps, epoch rows and final weights as the uninterrupted run, bit for
bit on the NumPy backend.

The short version (one kill per signal, an MLP with dropout) runs by default; the full
one (30 kills per signal on an MLP and a CNN) with ``-m slow``.
"""

from __future__ import annotations

import random
import sys

import pytest

from tests.robustness.kill_resume import SIGNALS, Case, reference, trial

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# dropout 0.2: the masks' generator must be restored too
MLP = Case("mlp-spiral", ("train.dropout=0.2", "train.backend='numpy'"), 38, 12)
CNN = Case("cnn-shapes", ("dataset.n_samples=1600", "train.backend='numpy'"), 20, 5)


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch) -> None:
    monkeypatch.setenv("NNTUI_BLAS_THREADS", "1")


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_a_killed_and_resumed_mlp_equals_the_uninterrupted_run(name, tmp_path, capsys) -> None:
    ref = reference(MLP, tmp_path / "reference", capsys)
    rows = random.Random(name).randrange(60, 300)  # after the first epoch's checkpoint
    killed = trial(MLP, ref, tmp_path / "killed", SIGNALS[name], rows, capsys)
    assert killed, "the run finished before the signal arrived; the test proved nothing"


def _many(case: Case, name: str, tmp_path, capsys, trials: int = 30) -> int:
    ref = reference(case, tmp_path / "reference", capsys)
    rng = random.Random(f"{case.preset}-{name}")
    total = case.steps_per_epoch * case.epochs
    killed = 0
    for i in range(trials):
        rows = rng.randrange(case.steps_per_epoch + 3, total)
        killed += trial(case, ref, tmp_path / f"trial-{i}", SIGNALS[name], rows, capsys)
    print(f"{case.preset} {name}: {trials} trials, {killed} killed mid-run, all identical")
    return killed


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SIGNALS))
@pytest.mark.parametrize("case", [MLP, CNN], ids=["mlp", "cnn"])
def test_thirty_kills_per_signal_resume_exactly(case, name, tmp_path, capsys) -> None:
    killed = _many(case, name, tmp_path, capsys)
    assert killed >= 20  # most kills land mid-run (the rest checked the plain run)
