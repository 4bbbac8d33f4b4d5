"""``--resume`` cannot corrupt a run: links, interrupted epochs, rows after the
checkpoint, two writers, failed overrides, damaged checkpoints (issue 15, items 1-6)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from nntui.engine.model import Sequential
from nntui.runlog import load_checkpoint, read_config, save_checkpoint
from nntui.runlog.lock import RunLock
from nntui.runlog.replay import read_jsonl_rows
from tests.robustness.helpers import assert_logs_parse, assert_one_line_error, only_run, run_cli
from tests.robustness.kill_resume import LAUNCH, ROOT, Case, assert_same_run

XOR = Case("mlp-xor", ("train.dropout=0.1",), 20, 3)


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch) -> None:
    monkeypatch.setenv("NNTUI_BLAS_THREADS", "1")


def _train(capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(["train", *XOR.argv, *args], capsys)


def _run(tmp_path: Path, capsys, name: str = "runs", *args: str) -> Path:
    code, _, err = _train(capsys, "--log-dir", str(tmp_path / name), *args)
    assert code == 0, err
    return only_run(tmp_path / name)


def _tree(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in run.iterdir() if p.is_file() and p.name != ".lock"}


# 1. links ---
@pytest.mark.parametrize("name", ["metrics.jsonl", "metrics.csv", "config.toml", "tb"])
def test_resume_refuses_a_link_out_of_the_run_folder(tmp_path, capsys, name) -> None:
    run = _run(tmp_path, capsys, "runs", "--epochs", "1")
    outside = tmp_path / "precious"
    (outside.mkdir() if name == "tb" else outside.write_text("keep me\n"))
    target = run / name
    (os.rename(target, tmp_path / "moved"))
    target.symlink_to(outside)
    code, _, err = _train(capsys, "--resume", str(run))
    assert_one_line_error(code, err, rf"{name} is a link .*does not follow links")
    assert outside.is_dir() and not any(outside.iterdir()) if name == "tb" else (
        outside.read_text() == "keep me\n")


def test_resume_refuses_a_hard_link_to_another_file(tmp_path, capsys) -> None:
    run = _run(tmp_path, capsys, "runs", "--epochs", "1")
    outside = tmp_path / "precious.jsonl"
    outside.write_text("keep me\n")
    (run / "metrics.jsonl").unlink()
    os.link(outside, run / "metrics.jsonl")
    code, _, err = _train(capsys, "--resume", str(run))
    assert_one_line_error(code, err, r"metrics.jsonl has 2 hard links")
    assert outside.read_text() == "keep me\n"


# 2. a stop in the middle of an epoch ---
def _signal_at(monkeypatch, step: int, sig: int = signal.SIGTERM) -> None:
    real, calls = Sequential.train_step, {"n": 0}

    def train_step(self, xb, yb):
        calls["n"] += 1
        if calls["n"] == step:
            os.kill(os.getpid(), sig)
        return real(self, xb, yb)

    monkeypatch.setattr(Sequential, "train_step", train_step)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_stop_mid_epoch_resumes_inside_that_epoch(tmp_path, capsys, monkeypatch, sig) -> None:
    ref = _run(tmp_path, capsys, "reference")
    with monkeypatch.context() as m:
        _signal_at(m, 27, sig)  # epoch 2, batch 7
        run = _run(tmp_path, capsys, "runs")
    ckpt = load_checkpoint(run)
    assert (ckpt.step, ckpt.epoch, ckpt.batch) == (27, 2, 7)
    code, _, err = _train(capsys, "--resume", str(run))
    assert code == 0, err
    assert "from step 27 (epoch 2, after batch 7 of 20)" in err
    assert_same_run(run, ref, XOR)


# 3. rows logged after the checkpoint by a killed run ---
def test_rows_after_the_checkpoint_of_a_killed_run_are_replaced(tmp_path, capsys) -> None:
    """``os._exit`` at step 33 is a SIGKILL at a known point: no close, no end row."""
    import subprocess

    ref = _run(tmp_path, capsys, "reference")
    base = tmp_path / "runs"
    die = ("from nntui.engine.model import Sequential as S; import os; r = S.train_step; "
           "c = [0]\ndef f(self, x, y):\n    c[0] += 1\n    if c[0] == 33: os._exit(9)\n"
           "    return r(self, x, y)\nS.train_step = f\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = subprocess.run([sys.executable, "-c", die + LAUNCH.replace("; ", "\n"), "train",
                           *XOR.argv, "--log-dir", str(base)], env=env, cwd=tmp_path).returncode
    assert code == 9
    run = only_run(base)
    logged = [r["step"] for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "step"]
    assert logged == list(range(1, 33)) and load_checkpoint(run).step == 20
    code, _, err = _train(capsys, "--resume", str(run))
    assert code == 0, err
    assert "12 rows logged after it are replaced" in err
    assert_same_run(run, ref, XOR)


# 4. one writer per folder ---
def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path, capsys) -> None:
    run = _run(tmp_path, capsys, "runs", "--epochs", "1")
    before = _tree(run)
    lock = RunLock.acquire(run)  # as a running `nntui train --resume` holds it
    try:
        code, _, err = _train(capsys, "--resume", str(run), "--epochs", "2")
    finally:
        lock.release()
    assert_one_line_error(code, err, rf"being written by another process \(pid {os.getpid()}\)")
    assert _tree(run) == before
    code, _, err = _train(capsys, "--resume", str(run), "--epochs", "2")
    assert code == 0, err  # the lock goes with its holder


def test_two_resumes_at_once_one_writes_and_the_other_is_refused(tmp_path, capsys) -> None:
    import subprocess
    import time

    run = _run(tmp_path, capsys, "runs", "--epochs", "1")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "train", "mlp-xor", "--quiet",
                             "--resume", str(run), "--epochs", "400"], env=env, cwd=tmp_path,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while b"resumed" not in (run / "metrics.jsonl").read_bytes():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.01)
    code, _, err = _train(capsys, "--resume", str(run), "--epochs", "400")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert_one_line_error(code, err, rf"being written by another process \(pid {proc.pid}\)")
    rows = assert_logs_parse(run)  # every step once, in order
    assert sum(r["kind"] == "resumed" for r in rows) == 1


# 5. config changes take effect only with a checkpoint ---
def _config(run: Path) -> dict:
    return read_config(run)


def test_a_failed_override_leaves_the_config_and_a_plain_resume_works(tmp_path, capsys) -> None:
    spiral = ["train", "mlp-spiral", "--quiet"]
    code, _, err = run_cli([*spiral, "--epochs", "1", "--log-dir", str(tmp_path)], capsys)
    assert code == 0, err
    run = only_run(tmp_path)
    code, _, err = run_cli([*spiral, "--resume", str(run), "--epochs", "3", "--set",
                            "train.optimizer=sgd", "--set", "train.learning_rate=50"], capsys)
    assert code == 3, err  # diverged: the changes never held
    assert _config(run)["train"]["learning_rate"] == 0.01
    assert _config(run)["train"]["optimizer"] == "adam" and _config(run)["train"]["epochs"] == 1
    code, _, err = run_cli([*spiral, "--resume", str(run), "--epochs", "2"], capsys)
    assert code == 0, err
    assert load_checkpoint(run).epoch == 2


def test_resume_with_fewer_epochs_than_done_is_refused(tmp_path, capsys) -> None:
    run = _run(tmp_path, capsys, "runs")
    before = _tree(run)
    code, _, err = _train(capsys, "--resume", str(run), "--epochs", "1")
    assert_one_line_error(code, err, r"--epochs 1 is not more than the 3 epochs .* trained")
    code, _, err = run_cli(["train", "mlp-xor", "--quiet", "--resume", str(run)], capsys)
    assert_one_line_error(code, err, r"nothing to resume: .* trained all 3 epochs")
    assert _tree(run) == before


def test_a_change_that_took_effect_is_recorded_with_its_step(tmp_path, capsys) -> None:
    run = _run(tmp_path, capsys, "runs", "--epochs", "1")
    code, _, err = _train(capsys, "--resume", str(run), "--epochs", "2", "--set",
                          "train.learning_rate=0.01")
    assert code == 0, err
    assert _config(run)["train"]["learning_rate"] == 0.01 and _config(run)["train"]["epochs"] == 2
    change = {"train.epochs": [1, 2], "train.learning_rate": [0.05, 0.01]}
    (resumed,) = [r for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "resumed"]
    assert resumed == {"kind": "resumed", "step": 20, "epoch": 1, "changes": change}
    assert load_checkpoint(run).changes == [{"step": 20, "changes": change}]


# 6. checkpoints are validated in full ---
def _tamper(run: Path, arrays=None, **meta) -> None:
    ckpt = load_checkpoint(run)
    saved = {**ckpt.arrays, **(arrays(ckpt.arrays) if arrays else {})}
    fields = {"step": ckpt.step, "epoch": ckpt.epoch, "rng_state": ckpt.rng_state,
              "generators": ckpt.generators, **meta}
    save_checkpoint(run, saved, **fields)


BAD = [
    ({"arrays": lambda a: {"m/w/dense/kernel": a["m/w/dense/kernel"] * np.nan}}, "NaN or inf"),
    ({"arrays": lambda a: {"m/w/dense/kernel": a["m/w/dense/kernel"].astype(np.int64)}},
     "dense/kernel has dtype int64, the model needs float32"),
    ({"step": -10}, "step must be a whole number >= 0"),
    ({"arrays": lambda a: {"m/opt/dense/kernel/m": np.zeros((3, 3), np.float32)}},
     r"optimizer state dense/kernel/m has shape \(3, 3\)"),
    ({"arrays": lambda a: {"m/opt_iterations": np.array([1, 2])}},
     "iteration count must be one whole number"),
    ({"arrays": lambda a: {"m/w/dense/kernel": a["m/w/dense/kernel"].astype(np.complex64)}},
     "holds complex64 values"),
    ({"generators": {"trainer": {"bit_generator": "PCG64", "state": "x"}}},
     "random state for 'trainer' is unusable"),
    ({"learning_rates": {"m": -0.5}}, "learning_rates must be a table of positive numbers"),
    ({"callbacks": {"EarlyStopping#0": 3}}, "callbacks must be a table of callback states"),
    ({"live": [{"step": 3}]}, "live must be a list of change rows"),
    ({"config_learning_rate": 0}, "config_learning_rate must be a positive number or null"),
]


@pytest.mark.parametrize("damage,match", BAD)
def test_a_damaged_checkpoint_is_refused_and_the_folder_left_alone(tmp_path, capsys, damage,
                                                                   match) -> None:
    run = _run(tmp_path, capsys, "runs", "--epochs", "1")
    _tamper(run, **damage)
    before = _tree(run)
    code, _, err = _train(capsys, "--resume", str(run))
    assert_one_line_error(code, err, match)
    assert _tree(run) == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("case,learner", [
    (Case("gan-gaussians", ("dataset.n_samples=2048",), 32, 3), "GAN"),  # z: its own rng
    (Case("transformer-addition", ("dataset.n_samples=2000",), 25, 2), "Sequential"),
], ids=["gan", "transformer"])
def test_other_learners_resume_exactly_too(tmp_path, capsys, monkeypatch, case, learner) -> None:
    from nntui.engine.gan import GAN

    ref = _run_case(case, tmp_path / "reference", capsys)
    cls = GAN if learner == "GAN" else Sequential
    real, calls = cls.train_step, {"n": 0}

    def train_step(self, xb, yb):
        calls["n"] += 1
        if calls["n"] == case.steps_per_epoch + 5:
            os.kill(os.getpid(), signal.SIGTERM)
        return real(self, xb, yb)

    with monkeypatch.context() as m:
        m.setattr(cls, "train_step", train_step)
        run = _run_case(case, tmp_path / "runs", capsys)
    assert load_checkpoint(run).batch == 5
    code, _, err = run_cli(["train", *case.argv, "--resume", str(run)], capsys)
    assert code == 0, err
    assert_same_run(run, ref, case)


def _run_case(case: Case, base: Path, capsys) -> Path:
    code, _, err = run_cli(["train", *case.argv, "--log-dir", str(base)], capsys)
    assert code == 0, err
    return only_run(base)
