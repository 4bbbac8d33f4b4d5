"""BLAS thread counts for training, chosen deliberately (measured, see README "Performance").

OpenBLAS splits one matrix product over its threads and waits for the slowest. On a
2-core machine whose cores are shared (this project's CI and development machines),
a thread that is not scheduled stalls every product: an MLP epoch took 3.1–4.0 s
with 2 threads and 0.30–0.49 s with 1 while other processes ran; on the same machine
when idle, 2 threads were faster. So on machines with at most ``SMALL_MACHINE`` cores
headless training probes: a few small products with one thread and with all cores,
interleaved, and more threads only when their *median* is clearly faster (a stalled
thread shows in the median). The choice is kept for ``PROBE_SECONDS``. Larger
machines keep the library default; ``NNTUI_BLAS_THREADS`` overrides both. The app
always trains with one thread, so Textual's UI thread keeps a core.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

SMALL_MACHINE = 2  # cores; at or below this, probe
PROBE_SECONDS = 10.0  # how long a probe's answer is reused
CLEARLY_FASTER = 1.25  # more threads must beat one by this factor (median of the probes)
_probed: tuple[float, int] | None = None  # (when, threads)
_controller: Any = None


def _blas_controller() -> Any:
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def probe_blas_threads(cores: int, repeats: int = 3, n: int = 384) -> int:
    """1 or ``cores``: which runs an (n, n) float32 product faster now (medians)."""
    import numpy as np

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    times: dict[int, list[float]] = {1: [], cores: []}
    for _ in range(repeats):
        for k in times:
            with _blas_controller().limit(limits=k, user_api="blas"):
                t0 = time.perf_counter()
                a @ a
                times[k].append(time.perf_counter() - t0)
    one, many = statistics.median(times[1]), statistics.median(times[cores])
    return cores if many * CLEARLY_FASTER < one else 1


def headless_blas_threads() -> int | None:
    """BLAS threads for headless training (``nntui train``, ``fit``, ``nntui bench``);
    None keeps the library default."""
    global _probed
    env = os.environ.get("NNTUI_BLAS_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = os.cpu_count() or 1
    if cores == 1:
        return 1
    if cores > SMALL_MACHINE:
        return None
    now = time.monotonic()
    if _probed is None or now - _probed[0] > PROBE_SECONDS:
        _probed = (now, probe_blas_threads(cores))
    return _probed[1]


@contextlib.contextmanager
def training_threads(headless: bool) -> Iterator[None]:
    """Context in which the current training thread uses the chosen BLAS thread count."""
    limit = headless_blas_threads() if headless else 1
    if limit is None:
        yield
        return
    with _blas_controller().limit(limits=limit, user_api="blas"):
        yield
