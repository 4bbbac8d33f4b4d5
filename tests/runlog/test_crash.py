"""A run killed without close() keeps every row it logged, in parseable files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nntui.runlog import RunReader, read_csv_rows, read_jsonl_rows, rows_to_events

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import os, sys
from nntui.engine.events import EpochCompleted, StepCompleted, TrainingStarted
from nntui.runlog import RunLogger

log = RunLogger(sys.argv[1], tensorboard=False)
log.handle(TrainingStarted("crash", "numpy", 2, 5, config={"epochs": 2}))
steps = int(sys.argv[2])
for n in range(1, steps + 1 if steps else 10**9):
    log.handle(StepCompleted(n, 1, n, {"loss": 1.0 / n}, 0.01, 100.0, n / 10))
    if n == 5:
        log.handle(EpochCompleted(1, 5, {"loss": 0.5, "val_loss": 0.7}, 0.55))
os._exit(1)  # like a kill: no close(), no atexit, no flush of Python buffers
"""


def run_script(run_dir: Path, steps: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(run_dir), str(steps)], cwd=REPO, env=env
    )


def assert_consecutive_steps(run_dir: Path, at_least: int) -> int:
    jsonl = rows_to_events(read_jsonl_rows(run_dir / "metrics.jsonl"))
    csv = rows_to_events(read_csv_rows(run_dir / "metrics.csv"))
    steps = [e.step for e in jsonl if type(e).__name__ == "StepCompleted"]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) >= at_least
    assert abs(len(csv) - len(jsonl)) <= 1  # the kill may land between the two writes
    assert csv[: min(len(csv), len(jsonl))] == jsonl[: min(len(csv), len(jsonl))]
    return len(steps)


def test_os_exit_without_close_keeps_every_row(tmp_path: Path) -> None:
    assert run_script(tmp_path, steps=8).wait(timeout=30) == 1
    assert assert_consecutive_steps(tmp_path, at_least=8) == 8
    assert read_csv_rows(tmp_path / "metrics.csv")[5]["val_loss"] == 0.7
    assert RunReader(tmp_path).config == {"epochs": 2}


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_sigkill_mid_stream_leaves_parseable_logs(tmp_path: Path) -> None:
    process = run_script(tmp_path, steps=0)  # logs until killed
    jsonl = tmp_path / "metrics.jsonl"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not jsonl.exists() or jsonl.stat().st_size < 20_000):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert_consecutive_steps(tmp_path, at_least=50)


def test_importing_runlog_does_not_import_tensorboardx() -> None:
    # tensorboardX imports PyTorch when it is installed (seconds); only a logger
    # that writes TensorBoard files should pay for that.
    code = "import sys, nntui.runlog; sys.exit('tensorboardX' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env).returncode == 0
