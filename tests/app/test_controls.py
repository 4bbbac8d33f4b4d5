"""Pilot tests of the dashboard's controls against a real (tiny) trainer."""

from __future__ import annotations

from pathlib import Path

from nntui.app.screens.train_screen import TrainScreen
from nntui.app.widgets.status_line import StatusLine
from nntui.runlog import read_csv_rows
from tests.app.conftest import SIZE, asynctest, wait_until


async def _started(app, pilot) -> TrainScreen:
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                     and app.screen.trainer is not None and app.screen.trainer.step > 2)
    return app.screen


async def _paused(screen: TrainScreen, pilot) -> int:
    await pilot.press("space")
    await wait_until(pilot, lambda: screen.trainer.paused)
    await pilot.pause(0.05)  # the step in flight when pausing completes
    return screen.trainer.step


@asynctest
async def test_pause_stops_the_steps_and_resume_continues(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        step = await _paused(screen, pilot)
        await pilot.pause(0.2)
        assert screen.trainer.paused and screen.trainer.step == step
        await wait_until(pilot, lambda: screen.history.state == "paused")
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.trainer.step > step + 2)
        await pilot.press("q")


@asynctest
async def test_n_runs_exactly_one_step_and_e_to_the_end_of_the_epoch(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        step = await _paused(screen, pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: screen.trainer.step == step + 1)
        await pilot.pause(0.2)
        assert screen.trainer.step == step + 1 and screen.trainer.paused
        await pilot.press("e")
        per_epoch = screen.trainer.steps_per_epoch
        await wait_until(pilot, lambda: screen.trainer.step % per_epoch == 0)
        await pilot.pause(0.2)
        assert screen.trainer.paused and screen.trainer.step % per_epoch == 0
        await pilot.press("q")


@asynctest
async def test_plus_doubles_and_minus_halves_the_learning_rate(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await _paused(screen, pilot)  # the keys work paused or not; paused is faster here
        optimizer = screen.trainer.model.optimizer
        before = optimizer.learning_rate
        await pilot.press("plus")
        assert optimizer.learning_rate == 2 * before
        await pilot.press("minus", "minus")
        assert optimizer.learning_rate == before / 2
        await pilot.press("l")
        await pilot.press(*"0.125", "enter")  # the current value is selected: typing replaces
        await pilot.pause()
        assert optimizer.learning_rate == 0.125
        await wait_until(pilot, lambda: screen.history.learning_rate == 0.125)
        await pilot.press("q")


@asynctest
async def test_reset_rebuilds_the_session_and_restarts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        first = screen.training
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.trainer is not None and screen.trainer.step > 0
                         and screen.training is not first)
        assert first.done.is_set() and len(app.catalog.built) == 2
        assert first.run_dir != screen.training.run_dir
        await pilot.press("q")


@asynctest
async def test_w_toggles_the_watch_pace_and_a_reset_keeps_it(make_app) -> None:
    """w sets a watch pace: the trainer runs at the pace the status line says (read from
    the screen, not from the code under test); a reset keeps it; w again: full speed."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await pilot.press("w")
        pace = screen.trainer.pace
        assert pace > 0
        await wait_until(pilot, lambda: f"watch {pace:g}/s" in
                         str(screen.query_one(StatusLine).render()))
        first = screen.training
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.training is not first
                         and screen.trainer is not None)
        assert screen.trainer.pace == pace  # the new run is watched too
        await pilot.press("w")
        assert screen.trainer.pace == 0.0
        await wait_until(pilot, lambda: "watch" not in
                         str(screen.query_one(StatusLine).render()))
        await pilot.press("q")


@asynctest
async def test_export_writes_checkpoint_config_and_screenshot(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await pilot.press("x")  # while running: taken on the trainer thread between steps
        run_dir = screen.training.run_dir
        await wait_until(pilot, lambda: (run_dir / "checkpoint.npz").exists())
        await _paused(screen, pilot)
        await pilot.press("x")  # while paused: taken at once
        await pilot.pause(0.1)
        for name in ("checkpoint.npz", "checkpoint.json", "config.toml", "screenshot.svg"):
            assert (run_dir / name).is_file(), name
        await pilot.press("q")


@asynctest
async def test_quit_stops_the_trainer_closes_the_logs_and_loses_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    run = screen.training
    assert run.done.is_set() and run.trainer.stopped and run.logger._closed
    rows = read_csv_rows(Path(run.run_dir) / "metrics.csv")
    steps = [r for r in rows if r["kind"] == "step"]
    assert steps and steps[-1]["step"] == run.trainer.step
