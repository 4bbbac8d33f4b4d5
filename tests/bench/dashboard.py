"""Training throughput headless and with the dashboard open, measured the same way.

Both sides train the same preset on a thread of this process with one BLAS thread (the
app's setting). Headless is ``nntui train``'s setup: a :class:`~nntui.runlog.RunLogger`
keeping snapshots (taken at most every ``HEADLESS_SNAPSHOT_SECONDS``), the per-epoch
:class:`~nntui.runlog.run_checkpoint.CheckpointWriter` and a gradient watch, with
TensorBoard off on both sides and no progress bar; ``snapshots="off"`` takes no
snapshot at all (the strictest reference). (``nntui train`` probes 1 against 2 threads
on a 2-core machine; a probe that picks 2 just before other processes wake made
headless CNN epochs 2× slower, which would flatter the dashboard: ``blas="train"``
measures that setting.)

Until 2026-12-06 the headless side kept no checkpoint but took a snapshot every 20
steps with no time limit (~100 a second at the spiral's ~2,000 steps/s), so its
"headless" paid for more snapshots than the dashboard and none of its checkpoints.

Both are timed by the wall clock over a window after a warm-up: the steps the
trainer finished in the window divided by its length. The dashboard side runs the
real :class:`~nntui.app.app.NntuiApp` headless under Textual's Pilot, so its UI
thread does all the work a terminal would see (layout, rendering, compositing);
only the bytes to the terminal are not written.

Used by ``tests/bench/test_dashboard_bench.py`` and ``tests/bench/soak.py``; run it
directly for figures: ``python -m tests.bench.dashboard mlp-spiral cnn-shapes``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nntui.architectures import build_session
from nntui.commands.train import first_warning_printer
from nntui.engine.threads import training_threads
from nntui.presets import load_preset
from nntui.runlog import RunLogger
from nntui.runlog.gradient_watch import GradientMonitor

SIZE = (160, 48)  # a typical full-screen terminal
EPOCHS = 1_000_000  # never ends inside a measurement (10,000 epochs of the spiral ended
# a soak after 5.5 min at ~1,150 steps/s)


@dataclass(frozen=True)
class Rate:
    """Steps per second over one window."""

    steps: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0


def spec_for(preset: str) -> Any:
    return load_preset(preset).with_train(epochs=EPOCHS)


def window(step: Callable[[], int], seconds: float) -> Rate:
    """Steps taken while sleeping ``seconds`` (blocking)."""
    s0, t0 = step(), time.perf_counter()
    time.sleep(seconds)
    return Rate(step() - s0, time.perf_counter() - t0)


def headless_rate(preset: str, seconds: float = 3.0, warmup: float = 1.0,
                  blas: str = "app", snapshots: str = "train") -> Rate:
    """Throughput of the ``nntui train`` setup (no UI): trainer, run logger, per-epoch
    checkpoints, gradient watch; one BLAS thread (``blas="app"``) or ``nntui train``'s
    choice (``blas="train"``); snapshots as ``nntui train`` takes them (``"train"``) or
    none at all (``"off"``)."""
    from nntui.commands.train import HEADLESS_SNAPSHOT_SECONDS
    from nntui.runlog.run_checkpoint import CheckpointWriter

    spec = spec_for(preset)
    session = build_session(spec)
    trainer = session.trainer(on_divergence="raise")
    trainer.snapshot_interval = HEADLESS_SNAPSHOT_SECONDS
    if snapshots == "off":
        trainer.snapshot_every = 0
    with tempfile.TemporaryDirectory() as tmp:
        logger = RunLogger.create(tmp, spec.name, tensorboard=False,
                                  snapshots=snapshots != "off")
        trainer.subscribe(logger.handle)
        trainer.subscribe(CheckpointWriter(logger, trainer,
                                           extra=session.info.get("checkpoint_extra")))
        trainer.subscribe(GradientMonitor(session.model, first_warning_printer(print)))

        def train() -> None:
            with training_threads(headless=blas == "train"):
                trainer.run()

        thread = threading.Thread(target=train, name="headless-trainer", daemon=True)
        thread.start()
        try:
            time.sleep(warmup)
            return window(lambda: trainer.step, seconds)
        finally:
            trainer.stop()
            thread.join(30)
            logger.close()


async def _dashboard(preset: str, seconds: float, warmup: float,
                     probe: Callable[[Any, Any], Any] | None) -> tuple[Rate, Any]:
    from nntui.app.app import NntuiApp

    spec = spec_for(preset)
    with tempfile.TemporaryDirectory() as tmp:
        app = NntuiApp(runs_dir=Path(tmp), tensorboard=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.start_training(spec, pace=0.0)  # full speed: this measures throughput
            while screen.trainer is None or screen.trainer.step < 1:
                await pilot.pause(0.05)
            await asyncio.sleep(warmup)
            trainer = screen.trainer
            s0, t0 = trainer.step, time.perf_counter()
            await asyncio.sleep(seconds)  # the app's loop runs meanwhile, as in a terminal
            rate = Rate(trainer.step - s0, time.perf_counter() - t0)
            extra = await probe(pilot, screen) if probe is not None else None
            await screen.shutdown()
            await pilot.press("q")
    return rate, extra


def dashboard_rate(preset: str, seconds: float = 3.0, warmup: float = 1.0,
                   probe: Callable[[Any, Any], Any] | None = None) -> tuple[Rate, Any]:
    """Throughput with the dashboard open; ``probe(pilot, screen)`` (async) runs after the
    window and its result is returned too."""
    return asyncio.run(_dashboard(preset, seconds, warmup, probe))


async def key_latencies(pilot: Any, screen: Any, presses: int = 10
                        ) -> dict[str, list[float]]:
    """Seconds from pressing space to its effect, ``presses`` times (pause, resume, ...).

    ``"trainer"``: until the trainer's state changes (``pause()``/``resume()`` called),
    which includes Textual's key dispatch and everything queued before it. ``"shown"``:
    until the status line is given the new state (it is painted with the next screen
    update). Both are stamped inside the app: ``pilot.press`` itself returns only once
    the app is idle, which with a trainer running can take seconds.
    """
    from nntui.app.widgets.status_line import StatusLine

    status = screen.query_one(StatusLine)
    shown: list[tuple[float, str]] = []
    show = status.show

    def stamped(history: Any, state: str | None = None) -> None:
        shown.append((time.perf_counter(), state or history.state))
        show(history, state)

    status.show = stamped
    trainer = screen.trainer
    changed: list[float] = []
    for name in ("pause", "resume"):
        original = getattr(trainer, name)

        def wrapped(original: Callable[[], None] = original) -> None:
            changed.append(time.perf_counter())
            original()

        setattr(trainer, name, wrapped)
    out: dict[str, list[float]] = {"trainer": [], "shown": []}
    for _ in range(presses):
        await asyncio.sleep(0.3)  # let frames and steps happen between presses
        before, state = len(changed), screen.history.state
        t0 = time.perf_counter()
        await pilot.press("space")
        while len(changed) == before:
            await asyncio.sleep(0.001)
        out["trainer"].append(changed[-1] - t0)
        while not any(t > t0 and s != state for t, s in shown):
            await asyncio.sleep(0.001)
        out["shown"].append(next(t for t, s in shown if t > t0 and s != state) - t0)
    if trainer.paused:
        trainer.resume()
    return out


def compare(preset: str, rounds: int = 3, seconds: float = 3.0) -> dict[str, Any]:
    """Headless (``nntui train``'s setup), dashboard and headless without snapshots,
    interleaved ``rounds`` times (ABC, then CBA: a load that drifts weighs alike);
    medians and the per-round ratios of the dashboard to each."""
    rates: dict[str, list[float]] = {"headless": [], "dashboard": [], "bare": []}
    runs: dict[str, Callable[[], float]] = {
        "headless": lambda: headless_rate(preset, seconds).per_second,
        "dashboard": lambda: dashboard_rate(preset, seconds)[0].per_second,
        "bare": lambda: headless_rate(preset, seconds, snapshots="off").per_second}
    for i in range(rounds):
        for name in (list(runs) if i % 2 == 0 else list(runs)[::-1]):
            rates[name].append(runs[name]())
    dash = rates["dashboard"]
    ratios = [d / h if h else 0.0 for d, h in zip(dash, rates["headless"], strict=True)]
    bare = [d / h if h else 0.0 for d, h in zip(dash, rates["bare"], strict=True)]
    return {"preset": preset, **rates, "ratios": ratios, "ratios_bare": bare,
            "median_ratio": statistics.median(ratios),
            "median_ratio_bare": statistics.median(bare),
            "headless_median": statistics.median(rates["headless"]),
            "dashboard_median": statistics.median(rates["dashboard"])}


def main(argv: list[str]) -> None:
    import os

    rounds = 3
    if argv and argv[0].startswith("--rounds="):
        rounds, argv = int(argv[0].split("=")[1]), argv[1:]
    for preset in argv or ["mlp-spiral"]:
        print(f"load {os.getloadavg()[0]:.2f}", flush=True)
        r = compare(preset, rounds)
        print(f"{preset}: headless {[round(x) for x in r['headless']]} steps/s, dashboard "
              f"{[round(x) for x in r['dashboard']]}, no snapshots {[round(x) for x in r['bare']]}"
              f"; dashboard/headless {[round(x, 3) for x in r['ratios']]} median "
              f"{r['median_ratio']:.3f}; dashboard/no snapshots "
              f"{[round(x, 3) for x in r['ratios_bare']]} median {r['median_ratio_bare']:.3f}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
