"""Ctrl+C / SIGTERM stop after the current step with a checkpoint; a crash still closes logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nntui.commands.signals import install_stop_handlers
from nntui.engine.model import Sequential
from nntui.runlog import load_checkpoint
from tests.robustness.helpers import assert_finite_checkpoint, assert_logs_parse, run_cli

ROOT = Path(__file__).resolve().parents[2]


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "nntui", "train", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_rows(base: Path, n: int, timeout: float = 60) -> Path:
    deadline = time.time() + timeout
    while time.time() < deadline:
        logs = list(base.glob("*/metrics.jsonl"))
        if logs and len(logs[0].read_bytes().splitlines()) >= n:
            return logs[0].parent
        time.sleep(0.05)
    raise AssertionError("the run wrote no rows")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_stops_after_the_step_checkpoints_and_says_where_the_logs_are(tmp_path) -> None:
    proc = _spawn(["mlp-spiral", "--quiet", "--log-dir", str(tmp_path)], tmp_path)
    run = _wait_for_rows(tmp_path, 50)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert f"resume with: nntui train --resume {run}" in err
    assert f"logs: {run}" in err
    rows = assert_logs_parse(run)
    steps = [r for r in rows if r["kind"] == "step"]
    assert rows[-1]["kind"] == "finished" and rows[-1]["stopped_early"] is True
    ckpt = assert_finite_checkpoint(run)
    assert ckpt.step == steps[-1]["step"] == rows[-1]["step"]


def test_an_exception_in_the_training_loop_closes_parseable_logs(tmp_path, monkeypatch,
                                                                 capsys) -> None:
    real = Sequential.train_step
    calls = {"n": 0}

    def failing(self, xb, yb):
        calls["n"] += 1
        if calls["n"] == 25:
            raise RuntimeError("simulated bug in a layer")
        return real(self, xb, yb)

    monkeypatch.setattr(Sequential, "train_step", failing)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(RuntimeError, match="simulated bug"):
        run_cli(["train", "mlp-xor", "--epochs", "5", "--quiet", "--log-dir",
                 str(tmp_path / "runs")], capsys)
    assert signal.getsignal(signal.SIGINT) is before  # the caller's Ctrl+C is back
    (run,) = (tmp_path / "runs").iterdir()
    rows = assert_logs_parse(run)
    steps = [r for r in rows if r["kind"] == "step"]
    assert steps[-1]["step"] == 24
    assert rows[-1] == {"kind": "failed", "step": 24,
                        "message": "RuntimeError: simulated bug in a layer"}
    ckpt = assert_finite_checkpoint(run)  # the epoch checkpoints before the failure are kept
    assert ckpt.step <= 24 and ckpt.epoch >= 1
    assert load_checkpoint(run).step == ckpt.step


def test_a_failed_log_write_is_one_line_and_leaves_the_logs_closed(tmp_path, monkeypatch,
                                                                   capsys) -> None:
    """Disk full while logging: a CheckpointError, exit 2, the earlier rows still parse."""
    from nntui.runlog.metrics import JsonlLog

    real = JsonlLog.write
    calls = {"n": 0}

    def full(self, row):
        calls["n"] += 1
        if calls["n"] == 15:
            raise OSError(28, "No space left on device")
        return real(self, row)

    monkeypatch.setattr(JsonlLog, "write", full)
    code, _, err = run_cli(["train", "mlp-xor", "--epochs", "3", "--quiet", "--log-dir",
                            str(tmp_path / "runs")], capsys)
    assert code == 2 and "No space left on device" in err and "Traceback" not in err
    (run,) = (tmp_path / "runs").iterdir()
    from nntui.runlog.replay import read_csv_rows, read_jsonl_rows

    jsonl = [r["step"] for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == "step"]
    csv = [r["step"] for r in read_csv_rows(run / "metrics.csv") if r["kind"] == "step"]
    assert jsonl and csv[: len(jsonl)] == jsonl  # the CSV row of the failed write got through


def test_stop_handlers_stop_once_force_on_the_second_signal_and_restore() -> None:
    stops: list[int] = []
    before = signal.getsignal(signal.SIGTERM)
    with install_stop_handlers(lambda: stops.append(1)):
        handler = signal.getsignal(signal.SIGTERM)
        handler(signal.SIGTERM, None)
        assert stops == [1]
        with pytest.raises(KeyboardInterrupt):  # a second Ctrl+C does not wait for the step
            handler(signal.SIGINT, None)
    assert signal.getsignal(signal.SIGTERM) is before


def test_stop_handlers_off_the_main_thread_install_nothing() -> None:
    errors: list[BaseException] = []

    def body() -> None:
        try:
            with install_stop_handlers(lambda: None):
                pass
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert errors == []
