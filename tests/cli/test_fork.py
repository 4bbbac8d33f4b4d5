"""``nntui train --fork RUN_DIR[@STEP]``: a new run from a kept checkpoint of another.

Nothing changed: the fork's steps equal the parent's continuation bit for bit (NumPy).
A new learning rate: its first update is the parent's scaled by the ratio (plain SGD).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.cli import main
from nntui.commands.fork import prepare_fork
from nntui.engine import events as ev
from nntui.runlog import load_checkpoint, read_jsonl_rows
from nntui.runlog.fork import kept_checkpoints, read_fork
from nntui.runlog.model_state import state_arrays
from nntui.runlog.run_checkpoint import restore_run

TINY = ["--set", "dataset.n_samples=600", "--quiet"]


def train(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    code = main(["train", *argv, *TINY])
    err = capsys.readouterr().err
    assert code == 0, err
    logs = [line for line in err.splitlines() if line.startswith("logs: ")]
    return Path(logs[-1].removeprefix("logs: ")), err


def steps(run: Path) -> dict[int, dict[str, Any]]:
    timing = ("elapsed", "samples_per_second")
    return {r["step"]: {k: v for k, v in r.items() if k not in timing}
            for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "step"}


def test_a_fork_with_nothing_changed_continues_bit_for_bit(tmp_path: Path, capsys) -> None:
    # dropout and shuffling: every random generator must be where the parent's was
    parent, _ = train(["mlp-spiral", "--epochs", "4", "--set", "train.dropout=0.2",
                       "--log-dir", str(tmp_path)], capsys)
    kept = [p.step for p in kept_checkpoints(parent)]
    assert len(kept) == 4  # one per epoch (the end of training repeats the last step)
    fork, err = train(["mlp-spiral", "--fork", f"{parent}@{kept[1]}",
                       "--log-dir", str(tmp_path)], capsys)
    assert f"forking {parent} at step {kept[1]}" in err and "changed: nothing" in err
    mine, theirs = steps(fork), steps(parent)
    assert min(mine) == kept[1] + 1 and max(mine) == max(theirs)
    assert all(mine[s] == theirs[s] for s in mine)  # every loss and accuracy, exactly
    a, b = load_checkpoint(parent), load_checkpoint(fork)
    assert a.step == b.step and sorted(a.arrays) == sorted(b.arrays)
    for name in a.arrays:
        np.testing.assert_array_equal(a.arrays[name], b.arrays[name], err_msg=name)
    record = read_fork(fork)
    assert record is not None and record.parent is not None
    assert record.parent.resolve() == parent.resolve() and record.step == kept[1]
    assert json.loads((fork / "fork.json").read_text())["parent"] == f"../{parent.name}"


def one_step(text: str, overrides: list[str]) -> tuple[dict[str, np.ndarray], float]:
    """The weights after the fork's first step, and that step's loss."""
    f = prepare_fork(text, overrides)
    session = build_session(f.spec)
    trainer = session.trainer(on_divergence="raise")
    restore_run(trainer, f.checkpoint)
    losses: list[float] = []

    def first(event: object) -> None:
        if isinstance(event, ev.StepCompleted):
            losses.append(event.metrics["loss"])
            trainer.stop()

    trainer.subscribe(first)
    trainer.run()
    weights = {k: v for k, v in state_arrays(session.model).items() if "/w/" in k}
    return weights, losses[0]


def test_a_fork_with_a_new_learning_rate_takes_its_first_update_scaled(
        tmp_path: Path, capsys) -> None:
    parent, _ = train(["mlp-spiral", "--epochs", "3", "--set", "train.optimizer='sgd'",
                       "--log-dir", str(tmp_path)], capsys)
    point = kept_checkpoints(parent)[1]
    start = {k: v for k, v in load_checkpoint(point.checkpoint).arrays.items() if "/w/" in k}
    same, loss_same = one_step(f"{parent}@{point.step}", [])
    fast, loss_fast = one_step(f"{parent}@{point.step}", ["train.learning_rate=0.1"])
    assert loss_same == loss_fast  # the step's loss is of the weights before its update
    # plain SGD: Δw = -lr·g with the same g (atol: float32 rounding of w + Δw, 10 ulps)
    for name, w0 in start.items():
        np.testing.assert_allclose(fast[name] - w0, 10 * (same[name] - w0), rtol=1e-4,
                                   atol=2e-6, err_msg=name)
    assert any(np.any(fast[n] != same[n]) for n in start)
    fork, _ = train(["mlp-spiral", "--fork", str(parent), "--epochs", "4",
                     "--set", "train.learning_rate=0.1", "--log-dir", str(tmp_path)], capsys)
    record = read_fork(fork)
    assert record is not None and record.changes == {"train.learning_rate": [0.01, 0.1],
                                                     "train.epochs": [3, 4]}
    assert min(steps(fork)) == kept_checkpoints(parent)[-1].step + 1  # the latest by default


def test_a_fork_at_a_step_without_a_checkpoint_names_the_nearest(tmp_path: Path,
                                                                 capsys) -> None:
    parent, _ = train(["mlp-xor", "--epochs", "2", "--log-dir", str(tmp_path)], capsys)
    kept = [p.step for p in kept_checkpoints(parent)]
    assert main(["train", "mlp-xor", "--fork", f"{parent}@{kept[0] + 1}", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"keeps no checkpoint at step {kept[0] + 1}" in err[0]
    assert ", ".join(map(str, kept)) in err[0]
    assert main(["train", "mlp-xor", "--fork", f"{parent}@x1"]) == 2
    assert "RUN_DIR@STEP" in capsys.readouterr().err
    assert main(["train", "mlp-xor", "--fork", str(parent), "--resume", str(parent)]) == 2
    assert "cannot be used together" in capsys.readouterr().err
