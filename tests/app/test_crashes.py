"""Crashes found by trying the app (issue 13), each replayed as a Pilot test, and what a
crash must never do: end a run without its end row and a checkpoint."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from nntui.app.app import NntuiApp
from nntui.app.screens.dashboard_screen import DashboardScreen
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.learning_rate_screen import LearningRateScreen
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.runlog import RunLogger
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog, fake_events
from tests.app.test_findable import watched


def _ok(app: NntuiApp) -> None:
    assert app._exception is None and app.return_code is None, app._exception


async def _keys_apart(app: NntuiApp, keys: list[str], seconds: float) -> None:
    """Press ``keys`` ``seconds`` apart, without waiting for the app to settle between
    them (what a fast typist does; Pilot's press waits)."""
    for key in keys:
        app.simulate_key(key)
        await asyncio.sleep(seconds)


@asynctest
async def test_ctrl_p_then_page_up_at_once_on_the_launcher_and_the_dashboard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key in ("pageup", "pagedown"):
            await _keys_apart(app, ["ctrl+p", key], 0.0)
            await pilot.pause(0.2)
            _ok(app)
            await pilot.press("escape")
        await watched(app, pilot)
        await _keys_apart(app, ["ctrl+p", "pageup"], 0.0)
        await pilot.pause(0.2)
        _ok(app)
        await pilot.press("escape", "q")


@asynctest
async def test_tab_up_r_up_on_the_dashboard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await watched(app, pilot)
        await wait_until(pilot, lambda: screen.layer_table.row_count > 0)
        await _keys_apart(app, ["tab", "up", "r", "up"], 0.05)
        await pilot.pause(0.3)
        _ok(app)
        await pilot.press("q")


@asynctest
async def test_a_learning_rate_that_looks_like_markup_is_shown_as_typed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await watched(app, pilot)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LearningRateScreen))
        await pilot.press(*"[/]", "enter")  # the current value is selected: typing replaces
        await pilot.pause(0.2)
        _ok(app)
        error = app.screen.query_one("#lr-error")
        assert "not a number: '[/]'" in str(error.render())
        await pilot.press("escape", "q")


@asynctest
async def test_pasting_ten_thousand_digits_into_a_field(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        launcher = app.screen
        assert isinstance(launcher, LauncherScreen)
        for key in ("model.hidden", "train.epochs"):
            control = launcher.field(key).control
            assert isinstance(control, Input)
            control.focus()
            control.post_message(events.Paste("9" * 10_000))
            await pilot.pause(0.2)
            _ok(app)
            assert "at most 12 digits" in launcher.invalid_fields[key]
            control.value = ""
            await pilot.pause(0.05)


BAD_CONFIGS: dict[str, bytes] = {
    "malformed": b"name = \n[train\n",
    "not-utf8": b"name = \"\xff\xfe\"\n",
    "train-is-5": b"name = \"x\"\ntrain = 5\n",
    "epochs-many": b"name = \"x\"\n[train]\nepochs = \"many\"\nbackend = 3\n",
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_replay_of_a_folder_with_a_bad_config(tmp_path: Path, case: str) -> None:
    async def check() -> None:
        run = tmp_path / "run"
        logger = RunLogger(run, tensorboard=False)
        for e in fake_events(steps=30):
            if type(e).__name__ != "SnapshotTaken":
                logger.handle(e)
        logger.close()
        (run / "config.toml").write_bytes(BAD_CONFIGS[case])
        app = NntuiApp(replay_dir=run, catalog=FakeCatalog(), tensorboard=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.3)
            _ok(app)
            assert isinstance(app.screen, ReplayScreen)
            await wait_until(pilot, lambda: app.screen.history.step == 30)
            assert any("config.toml" in (n.title or "") for n in app._notifications)

    asyncio.run(check())


@asynctest
async def test_a_crash_in_the_app_still_ends_the_run_with_its_end_row_and_a_checkpoint(
        make_app: Any) -> None:
    app = make_app()
    with pytest.raises(RuntimeError, match="a bug in a panel"):
        async with app.run_test(size=SIZE) as pilot:
            screen = await watched(app, pilot)
            assert isinstance(screen, DashboardScreen)

            def boom() -> None:
                raise RuntimeError("a bug in a panel")

            app.call_later(boom)  # an error in a message handler: the app ends on it
            await pilot.pause(0.5)
    run = screen.training
    assert run is not None and run.done.is_set() and run.run_dir is not None
    rows = [json.loads(line) for line in (run.run_dir / "metrics.jsonl").read_text()
            .splitlines()]
    assert rows[-1]["kind"] == "finished" and rows[-1]["stopped_early"]
    assert rows[-1]["step"] == run.trainer.step
    assert (run.run_dir / "checkpoint.npz").is_file()
