"""BLAS thread counts for training, chosen deliberately (measured, see README "Performance").

OpenBLAS splits one matrix product over its threads and waits for the slowest. On a
machine where the cores are shared (2 cores, other processes running: this project's
CI and development machines), a thread that is not scheduled stalls every product:
an MLP epoch took 3.1–4.0 s with 2 threads and 0.30–0.49 s with 1, and the CNN and
LSTM products are too small for OpenBLAS to split at all. So training uses one BLAS
thread on machines with at most ``SMALL_MACHINE`` cores, and the library default on
larger ones; ``NNTUI_BLAS_THREADS`` overrides both. The app always trains with one,
so Textual's UI thread keeps a core.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

SMALL_MACHINE = 2  # cores; at or below this, one BLAS thread


def headless_blas_threads() -> int | None:
    """BLAS threads for headless training (``nntui train``, ``fit``, ``nntui bench``);
    None keeps the library default."""
    env = os.environ.get("NNTUI_BLAS_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return 1 if (os.cpu_count() or 1) <= SMALL_MACHINE else None


@contextlib.contextmanager
def training_threads(headless: bool) -> Iterator[None]:
    """Context in which the current training thread uses the chosen BLAS thread count."""
    limit = headless_blas_threads() if headless else 1
    if limit is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit, user_api="blas"):
        yield
