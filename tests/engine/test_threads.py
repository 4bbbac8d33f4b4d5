"""BLAS threads chosen from the training steps themselves (``nntui.engine.threads.StepThreads``)."""

from __future__ import annotations

import numpy as np
import pytest

import nntui
from nntui import layers as L
from nntui.engine import threads
from nntui.engine.threads import STEPS_FASTER, TRIAL_STEPS, StepThreads, step_threads


class FakeBlas:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def set_num_threads(self, n: int) -> None:
        self.calls.append(n)


def _chooser() -> tuple[StepThreads, FakeBlas]:
    chooser, blas = StepThreads(2), FakeBlas()
    chooser._blas = [blas]  # type: ignore[assignment]
    return chooser, blas


def _trial(chooser: StepThreads, seconds: dict[int, float]) -> list[int]:
    ran = []
    for _ in range(2 * TRIAL_STEPS):
        chooser.before_step()
        ran.append(chooser._running)
        chooser.after_step(seconds[chooser._running])
    return ran


def test_a_trial_alternates_and_the_faster_median_wins() -> None:
    chooser, blas = _chooser()
    assert _trial(chooser, {1: 1.0, 2: 0.5}) == [1, 2] * TRIAL_STEPS
    assert chooser.choice == 2
    assert blas.calls == [1, 2] * TRIAL_STEPS  # set only when the count changes
    chooser.before_step()
    chooser.after_step(threads.PROBE_SECONDS - 1)  # no trial: a slow step changes nothing
    assert chooser.choice == 2 and blas.calls[-1] == 2
    chooser.before_step()
    chooser.after_step(2.0)  # PROBE_SECONDS of training steps since the trial: a new one
    assert _trial(chooser, {1: 1.0, 2: 2.0}) == [1, 2] * TRIAL_STEPS  # under another load
    assert chooser.choice == 1


def test_a_hopeless_trial_ends_early() -> None:
    chooser, _ = _chooser()
    chooser.before_step()
    chooser.after_step(1.0)  # one thread
    chooser.before_step()
    chooser.after_step(threads.HOPELESS * 1.0 + 0.1)  # two threads, stalled
    assert chooser.choice == 1 and not chooser._queue
    chooser.before_step()
    assert chooser._running == 1


def test_a_new_run_sets_the_count_again() -> None:
    chooser, blas = _chooser()
    _trial(chooser, {1: 1.0, 2: 0.5})
    chooser.begin()  # the last run's end restored the library's count
    chooser.before_step()
    assert blas.calls[-1] == 2 and len(blas.calls) == 2 * TRIAL_STEPS + 1


def test_all_cores_must_be_clearly_faster() -> None:
    chooser, _ = _chooser()
    _trial(chooser, {1: 1.0, 2: 0.99 / STEPS_FASTER * 1.02})
    assert chooser.choice == 1


def test_a_fixed_thread_count_means_no_chooser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNTUI_BLAS_THREADS", "2")
    assert step_threads() is None
    monkeypatch.delenv("NNTUI_BLAS_THREADS")
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 4)
    chooser = step_threads()
    assert chooser is not None and chooser.candidates == (1, 4)


def test_fit_brackets_every_step_and_keeps_its_chooser(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    class Recorder:
        def begin(self) -> None:
            seen.append("begin")

        def before_step(self) -> None:
            seen.append("before")

        def after_step(self, seconds: float) -> None:
            assert seconds > 0
            seen.append("after")

    monkeypatch.setattr(threads, "step_threads", lambda: Recorder())
    model = nntui.Sequential([nntui.Input((3,)), L.Dense(2)], backend="numpy", seed=0)
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((10, 3), np.float32), np.zeros((10, 2), np.float32)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)  # 3 steps an epoch
    first = model.fit_threads
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert seen == ["begin"] + ["before", "after"] * 6 + ["begin"] + ["before", "after"] * 3
    assert model.fit_threads is first
