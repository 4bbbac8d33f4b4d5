"""The dashboard when things go wrong: divergence, NaN weights, exploding gradients,
overwriting exports, tiny and changing terminal sizes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nntui.app.history import GradientsChecked
from nntui.app.screens.confirm_screen import ConfirmScreen
from nntui.app.screens.too_small_screen import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.widgets.grad_norms import GradNormPanel
from nntui.engine import events as ev
from nntui.runlog import load_checkpoint
from nntui.runlog.gradient_watch import GradientMonitor, GradientWarning
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.test_controls import _paused, _started


def _poison(screen: TrainScreen) -> None:
    """NaN into the first kernel of a paused run (what a too-large step leaves behind)."""
    layer = next(layer for layer in screen.trainer.model.layers if layer.params)
    layer.params["kernel"][...] = np.nan


def _run_dir(screen: TrainScreen) -> Path:
    assert screen.training is not None and screen.training.run_dir is not None
    return screen.training.run_dir


def _notes(app) -> list[str]:
    return [n.message for n in app._notifications]


@asynctest
async def test_divergence_is_explained_keeps_the_run_paused_and_saves_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await _paused(screen, pilot)
        _poison(screen)
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.history.state == "diverged")
        await wait_until(pilot, lambda: screen.trainer.paused)
        alert = screen.query_one("#alert")
        assert alert.display and "diverged at step" in str(alert.render())
        assert "lower learning rate" in str(alert.render())
        step = screen.trainer.step
        await pilot.press("space")  # stays paused: stepping on would repeat it
        await pilot.press("n")
        await pilot.pause(0.2)
        assert screen.trainer.paused and screen.trainer.step == step
        kept = _checkpoint_bytes(screen)  # the last epoch end's, if one passed: finite
        await pilot.press("x")
        await pilot.pause(0.3)
        assert _checkpoint_bytes(screen) == kept
        assert any("no checkpoint written" in m for m in _notes(app))
        await pilot.press("q")
        assert _checkpoint_bytes(screen) == kept  # nor when the app ends


def _checkpoint_bytes(screen: TrainScreen) -> bytes | None:
    path = _run_dir(screen) / "checkpoint.npz"
    if not path.exists():
        return None
    for name, array in load_checkpoint(path).arrays.items():
        assert np.isfinite(array).all(), name
    return path.read_bytes()


@asynctest
async def test_nan_weights_are_never_checkpointed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await _paused(screen, pilot)
        _poison(screen)
        kept = _checkpoint_bytes(screen)
        await pilot.press("x")
        await pilot.pause(0.3)
        assert _checkpoint_bytes(screen) == kept
        assert any("NaN or inf" in m for m in _notes(app))
        await pilot.press("q")
        assert _checkpoint_bytes(screen) == kept


@asynctest
async def test_export_asks_before_overwriting(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await _paused(screen, pilot)
        run_dir = _run_dir(screen)
        await pilot.press("x")
        await wait_until(pilot, lambda: (run_dir / "checkpoint.npz").exists()
                         and (run_dir / "screenshot.svg").exists())
        first = (run_dir / "checkpoint.npz").stat().st_mtime_ns
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, TrainScreen)
        assert (run_dir / "checkpoint.npz").stat().st_mtime_ns == first
        await pilot.press("n", "x")  # one more step, then export again: yes
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: (run_dir / "checkpoint.npz").stat().st_mtime_ns != first)
        await pilot.press("q")


class _Optimizer:
    last_global_norm = 1.0


class _Model:
    optimizer = _Optimizer()
    uses_gradients = True

    def optimizers(self) -> list[_Optimizer]:
        return [self.optimizer]


def test_gradient_monitor_reports_changes_only() -> None:
    seen: list[GradientsChecked] = []
    model = _Model()
    monitor = GradientMonitor(model, seen.append)
    for step in range(1, 31):
        monitor(ev.StepCompleted(step, 1, step, {"loss": 1.0}, 0.1, 1.0, 0.0))
    assert seen == []  # calm: no events at all
    model.optimizer.last_global_norm = 5e3  # past the absolute limit: a warning at once
    monitor(ev.StepCompleted(31, 1, 31, {"loss": 1.0}, 0.1, 1.0, 0.0))
    model.optimizer.last_global_norm = 1.0
    monitor(ev.StepCompleted(32, 1, 32, {"loss": 1.0}, 0.1, 1.0, 0.0))
    assert [(e.step, e.exploding, e.warning is not None) for e in seen] == \
        [(31, True, True), (32, False, False)]


def test_gradient_monitor_sends_one_event_per_flagged_streak() -> None:
    """A sustained explosion warns every step in the watch, but the UI (which redraws on
    each of these events) hears of it once when it starts and once when it ends."""
    seen: list[GradientsChecked] = []
    model = _Model()
    model.optimizer.last_global_norm = 1.0
    monitor = GradientMonitor(model, seen.append)
    for step in range(1, 31):
        monitor(ev.StepCompleted(step, 1, step, {"loss": 1.0}, 0.1, 1.0, 0.0))
    model.optimizer.last_global_norm = 5e3
    for step in range(31, 81):  # 50 steps past the limit: 50 warnings in the watch
        monitor(ev.StepCompleted(step, 1, step, {"loss": 1.0}, 0.1, 1.0, 0.0))
    assert monitor.watch.count == 50
    model.optimizer.last_global_norm = 1.0
    monitor(ev.StepCompleted(81, 1, 81, {"loss": 1.0}, 0.1, 1.0, 0.0))
    model.optimizer.last_global_norm = 5e3  # a new streak warns again
    monitor(ev.StepCompleted(82, 1, 82, {"loss": 1.0}, 0.1, 1.0, 0.0))
    model.optimizer.last_global_norm = 1.0  # the shared fake optimizer, as found
    assert [(e.step, e.exploding, e.warning is not None) for e in seen] == \
        [(31, True, True), (81, False, False), (82, True, True)]


@asynctest
async def test_exploding_gradients_mark_the_panel_and_notify_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await _paused(screen, pilot)
        warning = GradientWarning(40, 5e3, 1.0, 5e3)
        for step, exploding in ((40, True), (41, False), (42, True)):
            screen.buffer(GradientsChecked(step, exploding, warning))
            screen.frame()
        panel = screen.query_one(GradNormPanel)
        await wait_until(pilot, lambda: panel.has_class("-exploding"))
        await wait_until(pilot, lambda: any("exploding" in m for m in _notes(app)))
        await pilot.pause(0.1)
        assert sum("gradients are exploding" in m for m in _notes(app)) == 1, _notes(app)
        screen.buffer(GradientsChecked(43, False))
        screen.frame()
        assert not panel.has_class("-exploding")
        await pilot.press("q")


SIZES = [(40, 12), (MIN_WIDTH - 1, MIN_HEIGHT), (MIN_WIDTH, MIN_HEIGHT), (80, 24), (45, 30),
         (200, 60), (61, 19), (150, 40), (40, 12), (120, 40)]


BOUNDARY_SIZES = [(MIN_WIDTH - 1, MIN_HEIGHT), (MIN_WIDTH, MIN_HEIGHT), (80, 24), (200, 60)]


@pytest.mark.parametrize("sizes", [
    pytest.param(BOUNDARY_SIZES, id="boundaries"),
    pytest.param(SIZES, id="all", marks=pytest.mark.slow),
])
def test_resizing_while_training_is_safe(make_app, sizes: list[tuple[int, int]]) -> None:
    asyncio.run(_resize_while_training(make_app(), sizes))


async def _resize_while_training(app: Any, sizes: list[tuple[int, int]]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        for width, height in sizes:
            await pilot.resize_terminal(width, height)
            await pilot.pause(0.3)  # a few frames and steps at this size
            small = width < MIN_WIDTH or height < MIN_HEIGHT
            assert isinstance(app.screen, TooSmallScreen) == small, (width, height)
            assert app.return_code is None and app._exception is None
        step = screen.trainer.step
        await wait_until(pilot, lambda: screen.trainer.step > step)  # still training
        assert app.screen is screen
        await pilot.press("q")


@asynctest
async def test_the_launcher_and_help_render_at_every_size(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await pilot.pause(0.1)
            if not isinstance(app.screen, TooSmallScreen):
                await pilot.press("f1")  # the help screen on top, then back
                await pilot.pause(0.1)
                await pilot.press("escape")
                await pilot.pause(0.05)
            assert app.return_code is None and app._exception is None, (width, height)
