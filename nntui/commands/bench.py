"""``nntui bench``: training throughput of reference models, side by side.

Every framework trains the same model on the same synthetic data with its users' own
training call (``fit``; see ``bench_frameworks.py``); epochs are interleaved (nntui,
PyTorch, Keras, scikit-learn, nntui, …) so that a noisy machine slows all of them
alike, and the ratios are what to read. Between two timed epochs the bench waits
``SETTLE_SECONDS``: OpenBLAS's worker threads spin ~0.13 s after each product before
they sleep (measured), so without the pause the epoch after a NumPy epoch (PyTorch's,
Keras's) shared a core with a spinning thread, which flattered nntui's ratios. Each
ratio is the ratio of the medians; ``ratio_spread`` gives the smallest and largest
ratio of one repeat's epochs (adjacent in time), the spread to read beside it. FLOPs per sample are
computed analytically (forward + backward ≈ 3 × forward), giving each model's
share of the machine's measured float32 matrix-multiply peak.

The peak is measured beside the epochs it divides: before each repeat (best of
``PEAK_SAMPLES`` products per thread count), and each epoch's share is taken against
the peak of its own repeat; ``peak_share`` is the median of those. A single peak
measured once at the start compared one quick moment (a best-of-5 of 12 ms products)
with epochs seconds later: on a shared machine whose speed moved 2× within a minute
(measured: 69 to 176 GFLOP/s), the same MLP read 19 % to 120 % of "the" peak.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nntui.commands.bench_frameworks import GPT

MODELS = ("mlp", "cnn", "lstm", "gan", "gpt")
SAMPLES = {"mlp": 8192, "cnn": 4096, "lstm": 2048, "gan": 4096, "gpt": 512}
SETTLE_SECONDS = 0.25  # pause before each timed epoch (see the module docstring)
BATCH = {"mlp": 128, "cnn": 64, "lstm": 64, "gan": 64, "gpt": 32}
MAX_REPEATS = 1000
PEAK_SAMPLES = 3  # products per thread count before each repeat (the best is kept)


def forward_flops(model: str) -> float:
    """Multiply-adds ×2 of one sample's forward pass."""
    if model == "mlp":
        return 2.0 * (784 * 256 + 256 * 128 + 128 * 10)
    if model == "cnn":
        return 2.0 * (26 * 26 * 8 * 9 + 11 * 11 * 16 * 72 + 400 * 10)
    if model == "lstm":
        return 2.0 * 50 * 4 * 64 * (1 + 64) + 2.0 * 64
    if model == "gpt":
        t, d, v = GPT["context"], GPT["dim"], GPT["vocab"]
        block = 12 * d * d + 2 * t * d  # q, k, v, o, two 4d feed-forward; scores and A·V
        return 2.0 * t * (GPT["blocks"] * block + d * v)
    g = 32 * 128 + 128 * 784
    d = 784 * 128 + 128
    # one G step and one D step per batch: G fwd ×2, D fwd ×3 (real, fake, G step)
    return 2.0 * (2 * g + 3 * d)


def train_flops(model: str) -> float:
    return 3.0 * forward_flops(model)


def synthetic(model: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = SAMPLES[model]
    if model in ("mlp", "gan"):
        x = rng.random((n, 784), dtype=np.float32)
        return x, rng.integers(0, 10, n)
    if model == "cnn":
        return rng.random((n, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, n)
    if model == "gpt":  # random characters: the throughput does not depend on the text
        ids = rng.integers(0, GPT["vocab"], (n, GPT["context"] + 1))
        return ids[:, :-1], ids[:, 1:]
    t = np.linspace(0, 8 * np.pi, 51, dtype=np.float32)
    phase = rng.uniform(0, 2 * np.pi, (n, 1)).astype(np.float32)
    s = np.sin(t[None, :] + phase)
    return s[:, :50, None], s[:, 50:]


def gemm_peak(n: int = 1024, repeats: int = 5) -> dict[str, float]:
    """Measured float32 GEMM throughput in GFLOP/s (best of ``repeats``), with one BLAS
    thread and with the library default, interleaved; ``peak`` is the larger.

    Both are kept because on a busy 2-core machine the multi-threaded figure swings
    (a descheduled thread stalls the product) and is sometimes below the one-thread one.
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    b = a.copy()
    default = max([int(i["num_threads"]) for i in threadpool_info()
                   if i.get("user_api") == "blas"] or [1])
    best = {1: math.inf, default: math.inf}
    for _ in range(repeats):
        for threads in best:
            with threadpool_limits(threads, user_api="blas"):
                a @ b
                best[threads] = min(best[threads], _timed(lambda: a @ b))
    out = {f"threads_{k}": 2.0 * n**3 / v / 1e9 for k, v in best.items()}
    out["peak"] = max(out.values())
    return out


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


@dataclass
class Result:
    model: str
    framework: str
    samples_per_second: float  # median over timed epochs
    spread: float  # (max − min) / median of the timed epochs
    gflops: float
    peak_share: float  # median over repeats of the epoch's GFLOP/s / its repeat's peak
    seconds: list[float]  # every timed epoch, in order
    peak_shares: list[float] = field(default_factory=list)  # per repeat, in order


def run_bench(models: list[str], backends: list[str], repeats: int = 5, compare: bool = True,
              log: Callable[[str], None] = print, baseline: str | None = None) -> dict[str, Any]:
    """Run the benchmark; returns {"peak_gflops": ..., "results": [Result...], "ratios": {...}}.

    ``baseline``: another nntui checkout, trained as the runner ``baseline-<backend>``.
    """
    from nntui.commands.bench_baseline import BaselineRunner
    from nntui.commands.bench_frameworks import make_runners
    from nntui.engine.threads import headless_blas_threads

    gemm = gemm_peak()
    peak = gemm["peak"]
    per = ", ".join(f"{k.split('_')[1]} thread(s) {v:.1f}" for k, v in gemm.items() if k != "peak")
    log(f"float32 GEMM peak: {peak:.1f} GFLOP/s ({per}); nntui starts with "
        f"{headless_blas_threads() or 'the default number of'} BLAS thread(s), then "
        "chooses from its own steps")
    results: list[Result] = []
    for model in models:
        rng = np.random.default_rng(0)
        x, y = synthetic(model, rng)
        runners = make_runners(model, x, y, BATCH[model], backends, compare)
        if baseline:
            runners[f"baseline-{backends[0]}"] = BaselineRunner(model, baseline, backends[0],
                                                                len(x), BATCH[model])
        for fn in runners.values():  # warm-up epoch (builds, JIT, caches)
            fn()
        times: dict[str, list[float]] = {name: [] for name in runners}
        peaks: list[float] = []  # measured before each repeat, beside its epochs
        for _ in range(repeats):
            time.sleep(SETTLE_SECONDS)
            peaks.append(gemm_peak(repeats=PEAK_SAMPLES)["peak"])
            for name, fn in runners.items():
                time.sleep(SETTLE_SECONDS)
                times[name].append(_timed(fn))
        for fn in runners.values():
            if isinstance(fn, BaselineRunner):
                fn.close()
        for name, ts in times.items():
            results.append(_result(model, name, len(x), ts, peaks))
            r = results[-1]
            log(f"{model:5s} {name:18s} {r.samples_per_second:10.0f} samples/s  "
                f"±{100 * r.spread:4.1f}%  {r.gflops:6.1f} GFLOP/s  "
                f"{100 * r.peak_share:5.1f}% of peak ({100 * min(r.peak_shares):.0f}–"
                f"{100 * max(r.peak_shares):.0f} per repeat)")
        log(f"{model:5s} GEMM peak beside each repeat: "
            f"{', '.join(f'{p:.0f}' for p in peaks)} GFLOP/s")
    return {"peak_gflops": peak, "gemm_gflops": gemm, "results": [asdict(r) for r in results],
            "ratios": ratios(results), "ratio_spread": ratio_spread(results)}


def _result(model: str, name: str, samples: int, seconds: list[float],
            peaks: list[float]) -> Result:
    """One runner's figures: the median epoch's throughput, and its share of the GEMM
    peak as the median over repeats of each epoch against the peak measured beside it."""
    med = statistics.median(seconds)
    flops = samples * train_flops(model) / 1e9  # GFLOP of one epoch
    shares = [flops / t / p for t, p in zip(seconds, peaks, strict=True)]
    return Result(model, name, samples / med, (max(seconds) - min(seconds)) / med,
                  flops / med, statistics.median(shares), seconds, shares)


def _pairs(results: list[Result]) -> dict[str, tuple[Result, Result]]:
    """Ratio name -> (numerator, denominator): each nntui runner against each peer, and
    the snapshot runner against the same model without snapshots."""
    from nntui.commands.bench_frameworks import SNAPSHOT_EVERY, SNAPSHOT_SUFFIX

    by = {(r.model, r.framework): r for r in results}
    out = {}
    for (model, fw), r in by.items():
        if fw.endswith(SNAPSHOT_SUFFIX):
            base = fw[:-len(SNAPSHOT_SUFFIX)]
            if (model, base) in by:
                out[f"{model}: snapshots every {SNAPSHOT_EVERY} / off"] = (r, by[(model, base)])
            continue
        if not fw.startswith("nntui"):
            continue
        for other in ("baseline-" + fw.split("-")[1], "pytorch", "pytorch-1t", "keras",
                      "sklearn"):
            if (model, other) in by:
                out[f"{model}: {fw} / {other}"] = (r, by[(model, other)])
    return out


def ratios(results: list[Result]) -> dict[str, float]:
    """Throughput ratios of the medians."""
    return {k: a.samples_per_second / b.samples_per_second
            for k, (a, b) in _pairs(results).items()}


def ratio_spread(results: list[Result]) -> dict[str, list[float]]:
    """[smallest, largest] of the per-repeat ratios (epoch i of one against epoch i of the
    other, run a few seconds apart)."""
    out = {}
    for k, (a, b) in _pairs(results).items():
        per = [tb / ta for ta, tb in zip(a.seconds, b.seconds, strict=True)]
        out[k] = [min(per), max(per)]
    return out


def bench_command(args: Any) -> int:
    from rich.console import Console

    from nntui.engine.backend import BACKENDS, MLX_INSTALL, mlx_available
    from nntui.errors import BackendUnavailable, ConfigError

    models = list(MODELS) if args.model == "all" else args.model.split(",")
    for m in models:
        if m not in MODELS:
            raise ConfigError(f"--model must be one of {', '.join(MODELS)} or all. Received: {m!r}")
    if isinstance(args.repeats, bool) or not isinstance(args.repeats, int) or not (
            1 <= args.repeats <= MAX_REPEATS):
        raise ConfigError(f"--repeats must be a whole number from 1 to {MAX_REPEATS} (epochs "
                          f"timed per model). Received: {args.repeats!r}")
    if args.bench_backend == "all":
        backends = ["numpy"] + (["mlx"] if mlx_available() else [])
    else:
        backends = args.bench_backend.split(",")
    for b in backends:  # checked before anything is measured
        if b not in BACKENDS or b == "auto":
            raise ConfigError(f"--backend must be numpy, mlx or all (or a comma list). "
                              f"Received: {b!r}")
        if b == "mlx" and not mlx_available():
            raise BackendUnavailable(f"--backend mlx: MLX is not installed; {MLX_INSTALL}")
    console = Console(stderr=args.json)
    report = run_bench(models, backends, args.repeats, not args.no_compare,
                       log=lambda s: console.print(s, highlight=False, soft_wrap=True),
                       baseline=args.baseline)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for k, v in report["ratios"].items():
            lo, hi = report["ratio_spread"][k]
            console.print(f"{k:36s} {v:5.2f}×  (per repeat {lo:.2f}–{hi:.2f})", highlight=False,
                          soft_wrap=True)
    return 0
