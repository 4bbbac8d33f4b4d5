"""Replay of a very long log: time to the first frame, time to catch up, peak memory.

    python -m tests.bench.replay_bench [--rows 1000000] [--folder DIR]

writes a ``metrics.jsonl`` of ``--rows`` step rows (an epoch row every 1,000; about
195 MB for a million, as ``RunLogger`` writes them), then, in a fresh interpreter,
opens ``nntui replay`` on it headless (Textual's ``run_test``) and prints one JSON
line: ``first_frame_s`` (process start to the first frame that shows a step),
``caught_up_s`` (to the last row shown), ``peak_mb`` (peak RSS of that process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from nntui.engine.events import EpochCompleted, StepCompleted
from nntui.runlog.rows import epoch_row, json_safe, step_row

ROOT = Path(__file__).resolve().parents[2]
REPLAY = """
import time
T0 = time.perf_counter()
import asyncio, json, resource, sys
from textual.screen import Screen
from nntui.app.app import NntuiApp

FIRST = []
paint = Screen._compositor_refresh

def painted(self):  # the compositor refresh that puts a frame on the terminal
    paint(self)
    if not FIRST and getattr(getattr(self, "history", None), "step", 0) > 0:
        FIRST.append(time.perf_counter() - T0)

Screen._compositor_refresh = painted

async def main(folder, rows):
    app = NntuiApp(replay_dir=folder, tensorboard=False)
    out = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while app.screen.history.step < rows:
            await pilot.pause(0.05)
        await pilot.pause()
        out["caught_up_s"] = time.perf_counter() - T0
        out["points"] = len(app.screen.history.step_metrics["loss"])
    out["first_frame_s"] = FIRST[0]
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def write_log(folder: Path, rows: int) -> int:
    """``rows`` step rows and an epoch row every 1,000; the file's size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "metrics.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for n in range(1, rows + 1):
            e = StepCompleted(n, n // 1000 + 1, n % 1000 + 1,
                              {"loss": 1.0 / n, "accuracy": (n % 97) / 97}, 0.001,
                              12345.678901234 + n, n * 0.0123456789)
            f.write(json.dumps(json_safe(step_row(e))) + "\n")
            if n % 1000 == 0:
                row = epoch_row(EpochCompleted(n // 1000, n, {"loss": 1.0 / n}, n * 0.0123),
                                0.001)
                f.write(json.dumps(json_safe(row)) + "\n")
    return path.stat().st_size


def measure(folder: Path, rows: int, pythonpath: Path = ROOT) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    out = subprocess.run([sys.executable, "-c", REPLAY, str(folder), str(rows)], env=env,
                         cwd=pythonpath,
                         capture_output=True, text=True, timeout=1200, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--pythonpath", type=Path, default=ROOT,
                        help="the checkout whose nntui to measure (for before/after)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="nntui-replay-bench-"))
    if not (folder / "metrics.jsonl").exists():
        size = write_log(folder, args.rows)
        print(f"wrote {size / 2**20:.0f} MB to {folder}", file=sys.stderr)
    print(json.dumps({**measure(folder, args.rows, args.pythonpath), "rows": args.rows}))


if __name__ == "__main__":
    main()
