"""Kill a headless run at a random point, resume it, compare with the uninterrupted run.

Shared by the short kill/resume test (default suite) and the full one (``-m slow``).
The killed run is a real ``nntui train`` process (PyTorch hidden from it, so
tensorboardX does not spend seconds importing it); the resume and the reference run
in-process. BLAS is held to one thread in both, so the same seed gives the same bits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nntui.cli import main
from nntui.runlog import load_checkpoint
from nntui.runlog.replay import read_csv_rows, read_jsonl_rows

ROOT = Path(__file__).resolve().parents[2]
TIMING = {"elapsed", "samples_per_second"}
LAUNCH = ("import sys; sys.modules['torch'] = None; from nntui.cli import main; "
          "sys.exit(main(sys.argv[1:]))")


@dataclass(frozen=True)
class Case:
    """A preset and the settings every trial of it runs with."""

    preset: str
    sets: tuple[str, ...]
    steps_per_epoch: int
    epochs: int

    @property
    def argv(self) -> list[str]:
        return [self.preset, "--quiet", "--epochs", str(self.epochs),
                *(a for s in self.sets for a in ("--set", s))]


def train_in_process(argv: list[str], capsys) -> int:
    code = main(["train", *argv])
    capsys.readouterr()
    return code


def reference(case: Case, base: Path, capsys) -> Path:
    assert train_in_process([*case.argv, "--log-dir", str(base)], capsys) == 0
    (run,) = base.iterdir()
    return run


def _spawn(argv: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NNTUI_BLAS_THREADS="1")
    return subprocess.Popen([sys.executable, "-c", LAUNCH, "train", *argv], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _rows(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def kill_at(case: Case, base: Path, sig: int, rows: int, timeout: float = 120) -> tuple[Path, bool]:
    """Start the run, send ``sig`` once its log has ``rows`` lines; (run folder, killed
    before it finished)."""
    proc = _spawn([*case.argv, "--log-dir", str(base)], base)
    deadline = time.monotonic() + timeout
    run = None
    while time.monotonic() < deadline and proc.poll() is None:
        found = list(base.glob("*/metrics.jsonl"))
        if found and _rows(found[0]) >= rows:
            run = found[0].parent
            proc.send_signal(sig)
            break
        time.sleep(0.002)
    _, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in err, err
    (run,) = base.iterdir()
    finished = any(r.get("kind") == "finished" and not r.get("stopped_early")
                   for r in read_jsonl_rows(run / "metrics.jsonl"))
    return run, not finished


def resume_to_end(case: Case, run: Path, capsys) -> None:
    assert train_in_process([*case.argv, "--resume", str(run)], capsys) == 0


def _comparable(run: Path, kind: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in TIMING}
            for r in read_jsonl_rows(run / "metrics.jsonl") if r["kind"] == kind]


def assert_same_run(run: Path, ref: Path, case: Case) -> None:
    """Same steps (each once, in order), same step and epoch rows, same final state, bit
    for bit; metrics.csv agrees with metrics.jsonl."""
    steps = _comparable(run, "step")
    total = case.steps_per_epoch * case.epochs
    assert [r["step"] for r in steps] == list(range(1, total + 1))
    assert steps == _comparable(ref, "step")
    assert _comparable(run, "epoch") == _comparable(ref, "epoch")
    csv_steps = [r["step"] for r in read_csv_rows(run / "metrics.csv") if r["kind"] == "step"]
    assert csv_steps == list(range(1, total + 1))
    got, want = load_checkpoint(run), load_checkpoint(ref)
    assert (got.step, got.epoch, got.batch) == (want.step, want.epoch, 0)
    assert got.arrays.keys() == want.arrays.keys()
    for name, array in want.arrays.items():
        assert got.arrays[name].dtype == array.dtype, name
        assert np.array_equal(got.arrays[name], array), name
    assert got.generators == want.generators


SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}


def trial(case: Case, ref: Path, base: Path, sig: int, rows: int, capsys) -> bool:
    """One kill at ``rows`` log lines and a resume; True when the kill landed mid-run."""
    base.mkdir()
    run, killed = kill_at(case, base, sig, rows)
    if killed:
        resume_to_end(case, run, capsys)
    assert_same_run(run, ref, case)
    return killed
