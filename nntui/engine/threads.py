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


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Context with one BLAS thread: for many tiny products (writing text token by token),
    where more threads only wait on each other, and on a busy machine wait long."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield


TRIAL_STEPS = 4  # steps per candidate thread count in one trial
STEPS_FASTER = 1.1  # all cores must beat one thread by this factor (median step times)
HOPELESS = 3.0  # a trial ends early when every all-cores step took this x one thread's median


class StepThreads:
    """Chooses 1 or all cores as the BLAS thread count from the training steps themselves.

    Call :meth:`begin` when a run starts and :meth:`before_step` and :meth:`after_step`
    around each training step, inside :func:`training_threads` (which restores the
    library's setting afterwards). A trial runs ``TRIAL_STEPS`` steps with each count,
    alternating, so a change of machine load slows both alike; the count with the lower
    median step time (all cores only when ``STEPS_FASTER`` times faster) runs until the
    next trial, after ``PROBE_SECONDS`` of training steps (time between ``fit`` calls
    does not count: a bench or a script that fits one epoch at a time would otherwise
    pay for a trial every call). A trial ends early when all cores are hopeless
    (``HOPELESS``): on a busy machine one two-thread LSTM step took ~100 ms against 6.
    """

    def __init__(self, cores: int) -> None:
        self.candidates = (1, cores)
        self.choice = 1
        self._queue: list[int] = []  # thread counts of the trial steps still to run
        self._times: dict[int, list[float]] = {}
        self._until_trial = 0.0  # seconds of training steps before the next trial
        self._running = 0  # the count set for the step in flight
        self._blas = _blas_controller().select(user_api="blas").lib_controllers

    def begin(self) -> None:
        """A run starts: its thread setting is unknown (``training_threads`` set its own)."""
        self._running = 0

    def before_step(self) -> None:
        if not self._queue and self._until_trial <= 0:
            self._queue = [k for _ in range(TRIAL_STEPS) for k in self.candidates]
            self._times = {k: [] for k in self.candidates}
        want = self._queue[0] if self._queue else self.choice
        if want != self._running:
            for lib in self._blas:
                lib.set_num_threads(want)
            self._running = want

    def after_step(self, seconds: float) -> None:
        if not self._queue:
            self._until_trial -= seconds
            return
        self._times[self._queue.pop(0)].append(seconds)
        one, many = (self._times[k] for k in self.candidates)
        if one and many and min(many) > HOPELESS * statistics.median(one):
            self._queue.clear()
        if not self._queue:
            faster = statistics.median(many) * STEPS_FASTER < statistics.median(one)
            self.choice = self.candidates[1] if faster else 1
            self._until_trial = PROBE_SECONDS


def step_threads() -> StepThreads | None:
    """A :class:`StepThreads` for headless training, or None where the count is fixed
    (``NNTUI_BLAS_THREADS``, one core)."""
    env = os.environ.get("NNTUI_BLAS_THREADS", "").strip()
    cores = os.cpu_count() or 1
    if (env.isdigit() and int(env) > 0) or cores == 1:
        return None
    return StepThreads(cores)
