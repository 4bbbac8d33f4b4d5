"""What full-fidelity run folders cost: size, training throughput, replay.

    python -m tests.bench.run_folder_costs [--preset cnn-shapes] [--seconds 240]
                                           [--epochs 20] [--pairs 3]

1. trains ``--preset`` headless (``nntui train``) for ``--seconds`` of wall time (then
   Ctrl+C: it stops after the step), and reports the run folder's size, split into
   snapshots, kept checkpoints and the rest, with the steps done;
2. trains ``--epochs`` with and without snapshots (``--no-snapshots``), alternating,
   ``--pairs`` times, and reports each run's samples/s and the ratio of the medians;
3. replays the folder of 1. headless (``tests.bench.replay_bench``): time to the first
   frame, time to catch up, peak RSS.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nntui.runlog import read_jsonl_rows
from nntui.runlog.config import read_config
from tests.bench.replay_bench import measure

ROOT = Path(__file__).resolve().parents[2]


def _train(preset: str, log_dir: Path, extra: list[str], seconds: float | None = None) -> Path:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "nntui", "train", preset, "--quiet", "--log-dir",
           str(log_dir), *extra]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if seconds is not None:
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)  # stops after the step, checkpoint and end row
    proc.wait()
    folders = sorted(log_dir.iterdir(), key=lambda p: p.stat().st_mtime)
    return folders[-1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def folder_size(preset: str, seconds: float, base: Path) -> tuple[Path, dict[str, float]]:
    # epochs enough to go on for the whole time (cnn-shapes does an epoch in about 0.4 s)
    folder = _train(preset, base / "size", ["--epochs", "100000"], seconds)
    rows = read_jsonl_rows(folder / "metrics.jsonl")
    total = _size(folder)
    snaps, ckpts = _size(folder / "snapshots"), _size(folder / "checkpoints")
    return folder, {"seconds": seconds, "steps": max(r.get("step", 0) for r in rows),
                    "total_mb": total / 2**20, "snapshots_mb": snaps / 2**20,
                    "checkpoints_mb": ckpts / 2**20, "rest_mb": (total - snaps - ckpts) / 2**20,
                    "snapshots_kept": len(list((folder / "snapshots").glob("*.npz")))}


def samples_per_second(folder: Path) -> float:
    """Training samples a second of wall time, past the first 5 steps' warm-up: snapshot
    writing, checkpoints and the held-out evaluation included (``elapsed`` of the rows)."""
    rows = read_jsonl_rows(folder / "metrics.jsonl")
    steps = [r for r in rows if r.get("kind") == "step"]
    batch = int(read_config(folder)["train"]["batch_size"])
    first, last = steps[5], steps[-1]
    return (last["step"] - first["step"]) * batch / (last["elapsed"] - first["elapsed"])


def throughput(preset: str, epochs: int, pairs: int, base: Path) -> dict[str, object]:
    with_: list[float] = []
    without: list[float] = []
    for i in range(pairs):
        for snapshots, out in ((True, with_), (False, without)):
            flags = ["--epochs", str(epochs)] + ([] if snapshots else ["--no-snapshots"])
            folder = _train(preset, base / f"tp{i}{'s' if snapshots else 'n'}", flags)
            out.append(samples_per_second(folder))
    ratio = statistics.median(with_) / statistics.median(without)
    return {"with_snapshots": with_, "without": without, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="cnn-shapes")
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="nntui-run-folder-costs-"))
    t0 = time.perf_counter()
    folder, size = folder_size(args.preset, args.seconds, base)
    out: dict[str, object] = {"preset": args.preset, "size": size}
    steps = int(size["steps"])  # type: ignore[call-overload]
    out["replay"] = measure(folder, steps)
    out["throughput"] = throughput(args.preset, args.epochs, args.pairs, base)
    out["wall_s"] = time.perf_counter() - t0
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
