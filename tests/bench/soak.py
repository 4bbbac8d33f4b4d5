"""Soak: train a preset with the dashboard open for a long time; memory and speed must hold.

Runs the real app headless under Textual's Pilot (as ``tests/bench/dashboard.py``
does) for ``--minutes`` (default 10), sampling the process's resident memory and the
trainer's step count every ``--every`` seconds. It compares the first full minute
after a warm-up with the last minute and exits non-zero when memory grew by 20 % or
more, or throughput fell by 20 % or more. It stops by itself.

    python -m tests.bench.soak --preset mlp-spiral --minutes 10 --out soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.dashboard import SIZE, spec_for

GROWTH_LIMIT = 0.20
WARMUP = 60.0  # seconds before the "start" window (imports, first allocations, caches)
WINDOW = 60.0  # seconds of each compared window


def memory_kib() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in KiB, from /proc."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def trimmed_kib() -> int:
    """RSS after a full garbage collection and glibc's ``malloc_trim`` (memory the
    allocator kept but nothing uses is given back): the live part of :func:`memory_kib`."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the raw figure stands
    return memory_kib()[0]


def window_rate(samples: list[dict[str, Any]], start: float, end: float) -> float:
    """Steps per second between the samples nearest ``start`` and ``end`` seconds."""
    a = min(samples, key=lambda s: abs(s["t"] - start))
    b = min(samples, key=lambda s: abs(s["t"] - end))
    return (b["step"] - a["step"]) / (b["t"] - a["t"]) if b["t"] > a["t"] else 0.0


async def soak(preset: str, seconds: float, every: float) -> dict[str, Any]:
    from nntui.app.app import NntuiApp

    samples: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = NntuiApp(runs_dir=Path(tmp), tensorboard=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.start_training(spec_for(preset), pace=0.0)  # full speed, not watched
            while screen.trainer is None or screen.trainer.step < 1:
                await pilot.pause(0.05)
            t0 = time.perf_counter()
            trimmed: dict[str, int] = {}
            while True:
                t = time.perf_counter() - t0
                rss, peak = memory_kib()
                samples.append({"t": round(t, 2), "step": screen.trainer.step, "rss_kib": rss,
                                "peak_kib": peak, "state": screen.history.state})
                last = t >= seconds
                if (t >= WARMUP and "start" not in trimmed) or last:  # once each
                    trimmed["end" if last else "start"] = trimmed_kib()
                print(json.dumps(samples[-1]), flush=True)
                if last:
                    break
                await asyncio.sleep(min(every, seconds - t + 0.01))
            await screen.shutdown()
            await pilot.press("q")
    end = samples[-1]["t"]

    def rss_near(t: float) -> int:
        """The raw RSS of the first sample at or after ``t`` (before any trim)."""
        return next((s for s in samples if s["t"] >= t), samples[-1])["rss_kib"]

    start_rate = window_rate(samples, WARMUP, WARMUP + WINDOW)
    end_rate = window_rate(samples, end - WINDOW, end)
    return {"preset": preset, "seconds": end, "samples": samples,
            "start_rss_mib": rss_near(WARMUP) / 1024, "end_rss_mib": samples[-1]["rss_kib"] / 1024,
            "peak_rss_mib": max(s["peak_kib"] for s in samples) / 1024,
            "start_trimmed_rss_mib": trimmed.get("start", 0) / 1024,
            "end_trimmed_rss_mib": trimmed.get("end", 0) / 1024,
            "start_steps_per_s": start_rate, "end_steps_per_s": end_rate,
            "load_average": os.getloadavg()}


def verdict(result: dict[str, Any]) -> list[str]:
    """What failed (empty: the soak passed)."""
    problems = []
    growth = result["end_rss_mib"] / result["start_rss_mib"] - 1
    if growth >= GROWTH_LIMIT:
        problems.append(f"memory grew {100 * growth:.0f}%")
    if result["end_steps_per_s"] < (1 - GROWTH_LIMIT) * result["start_steps_per_s"]:
        problems.append("throughput fell by 20% or more")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="mlp-spiral")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between samples")
    parser.add_argument("--out", type=Path, default=None, help="write the result as JSON")
    args = parser.parse_args(argv)
    result = asyncio.run(soak(args.preset, 60 * args.minutes, args.every))
    problems = verdict(result)
    summary = {k: v for k, v in result.items() if k != "samples"} | {"problems": problems}
    print(json.dumps(summary, indent=2), flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(result | {"problems": problems}, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
