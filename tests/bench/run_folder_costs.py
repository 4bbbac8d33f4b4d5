"""What full-fidelity run folders cost: size, training throughput, replay.

    python -m tests.bench.run_folder_costs [--preset cnn-shapes] [--seconds 240]
                                           [--epochs 20] [--pairs 3] [--throughput-only]

1. trains ``--preset`` headless (``nntui train``) for ``--seconds`` of wall time (then
   Ctrl+C: it stops after the step), and reports the run folder's size, split into
   snapshots, kept checkpoints and the rest, with the steps done;
2. trains ``--epochs`` with and without snapshots (``--no-snapshots``), alternating,
   ``--pairs`` times, and reports each run's samples/s and the ratio of the medians
   (``--no-snapshots`` still computes a snapshot every ``snapshot_every`` steps for the
   TensorBoard histograms; ``--in-process`` compares against no snapshot at all, in
   ABBA pairs in one process);
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


def in_process(preset: str, epochs: int, pairs: int, base: Path) -> dict[str, object]:
    """The same comparison in one process, ABBA-ordered pairs of whole runs (``nntui
    train``'s trainer and run logger, with and without snapshots): no interpreter start,
    and a load that drifts weighs on both sides alike."""
    from nntui.architectures import build_session
    from nntui.commands.train import HEADLESS_SNAPSHOT_SECONDS
    from nntui.engine.threads import step_threads, training_threads
    from nntui.presets import load_preset
    from nntui.runlog import RunLogger

    spec = load_preset(preset).with_train(epochs=epochs)

    def one(snapshots: bool, i: int) -> float:
        session = build_session(spec)
        trainer = session.trainer(on_divergence="raise")
        if snapshots:
            trainer.snapshot_interval = HEADLESS_SNAPSHOT_SECONDS
        else:
            trainer.snapshot_every = 0
        samples = len(session.x_train) * epochs
        trainer.blas_threads = step_threads()  # as nntui train runs it
        with RunLogger(base / f"in{i}{'s' if snapshots else 'n'}", tensorboard=True,
                       snapshots=snapshots) as logger, training_threads(headless=True):
            trainer.subscribe(logger.handle)
            t0 = time.perf_counter()
            trainer.run()
            return samples / (time.perf_counter() - t0)

    with_: list[float] = []
    without: list[float] = []
    for i in range(pairs):
        order = (True, False) if i % 2 == 0 else (False, True)
        for snapshots in order:
            (with_ if snapshots else without).append(one(snapshots, i))
    ratios = [a / b for a, b in zip(with_, without, strict=True)]
    return {"with_snapshots": with_, "without": without, "pair_ratios": ratios,
            "median_pair_ratio": statistics.median(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="cnn-shapes")
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--throughput-only", action="store_true", help="skip 1. and 3.")
    parser.add_argument("--in-process", action="store_true",
                        help="2. in this process, ABBA pairs (less noise on a busy machine)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="nntui-run-folder-costs-"))
    t0 = time.perf_counter()
    out: dict[str, object] = {"preset": args.preset}
    if not args.throughput_only:
        folder, size = folder_size(args.preset, args.seconds, base)
        out["size"] = size
        out["replay"] = measure(folder, int(size["steps"]))
    measured = in_process if args.in_process else throughput
    out["throughput"] = measured(args.preset, args.epochs, args.pairs, base)
    out["wall_s"] = time.perf_counter() - t0
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
