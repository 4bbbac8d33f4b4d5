"""Surgery through the live dashboard: a unit switched off changes the trainer's model
output and switching it on brings the same output back; a frozen layer stops changing;
every change is a row of the run log with its step, and a replay shows it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nntui.app.app import NntuiApp
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.screens.value_screen import ValueScreen
from nntui.app.widgets.surgery_bar import SurgeryBar
from nntui.engine.surgery import ablated_units
from nntui.runlog.replay import read_jsonl_rows
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog

PROBE = np.array([[0.5, 0.5], [-0.5, 0.5], [0.2, -0.7], [-1.0, -1.0]], np.float32)


async def _paused_run(app: NntuiApp, pilot) -> TrainScreen:
    app.screen.field("pace").control.value = "50"
    await pilot.pause()
    await pilot.press("ctrl+t")
    await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                     and app.screen.trainer is not None and app.screen.trainer.step > 3)
    screen = app.screen
    await pilot.press("space")
    await wait_until(pilot, lambda: screen.trainer.paused and screen.trainer.wait_until_paused(0))
    return screen


@asynctest
async def test_a_unit_switched_off_and_on_again_changes_the_output_and_restores_it(
        tmp_path: Path) -> None:
    app = NntuiApp(catalog=FakeCatalog(100_000), runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _paused_run(app, pilot)
        model, trainer = screen.trainer.model, screen.trainer
        before = model.predict(PROBE)
        await pilot.press("s")
        bar = screen.query_one(SurgeryBar)
        assert bar.is_open and bar.has_focus
        await pilot.press("right", "right", "a")  # unit 3 of the first layer
        await wait_until(pilot, lambda: ablated_units(model.layers[0]) == [2])
        step = trainer.step
        off = model.predict(PROBE)
        w = model.get_weights()  # the same net by hand, unit 3 set to 0
        h = np.maximum(PROBE @ w[0] + w[1], 0)
        h[:, 2] = 0
        h = np.maximum(h @ w[2] + w[3], 0)
        z = h @ w[4] + w[5]
        np.testing.assert_allclose(off, np.exp(z) / np.exp(z).sum(1, keepdims=True), rtol=1e-5)
        assert not np.allclose(off, before)
        await pilot.press("a")
        await wait_until(pilot, lambda: model.layers[0].unit_mask is None)
        np.testing.assert_array_equal(model.predict(PROBE), before)
        # freeze the second layer, train on: it keeps its weights, the others move
        await pilot.press("down", "f")
        await wait_until(pilot, lambda: not model.layers[1].trainable)
        kept = model.get_weights()
        await pilot.press("escape", "n")  # close the bar, one step
        await wait_until(pilot, lambda: trainer.step == step + 1)
        await wait_until(pilot, lambda: trainer.wait_until_paused(0))
        now = model.get_weights()
        np.testing.assert_array_equal(now[2], kept[2])
        assert not np.array_equal(now[0], kept[0])
        await wait_until(pilot, lambda: len(screen.changes.events) == 3)
        assert "froze dense_1" in str(screen.query_one("#changes").render())
        run_dir = screen.training.run_dir
        await pilot.press("q")
    rows = [r for r in read_jsonl_rows(run_dir / "metrics.jsonl") if r["kind"] == "change"]
    assert [(r["action"], r["step"]) for r in rows] == [("ablate", step), ("restore", step),
                                                         ("freeze", step)]
    replay = NntuiApp(replay_dir=run_dir, tensorboard=False)
    async with replay.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(replay.screen, ReplayScreen)
                         and len(replay.screen.changes.events) == 3)
        assert "switched on unit 3 of dense" in str(replay.screen.query_one("#changes").render())


@asynctest
async def test_dropout_and_l2_set_from_the_bar_reach_the_model(tmp_path: Path) -> None:
    app = NntuiApp(catalog=FakeCatalog(100_000), runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _paused_run(app, pilot)
        model = screen.trainer.model
        await pilot.press("s", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, ValueScreen))
        app.screen.query_one("#value-input").value = "1.5"
        await pilot.press("enter")
        assert "below 1" in str(app.screen.query_one("#value-error").render())
        app.screen.query_one("#value-input").value = "0.25"
        await pilot.press("enter")
        await wait_until(pilot, lambda: [type(ly).__name__ for ly in model.layers].count(
            "Dropout") == 2)
        assert all(ly.rate == 0.25 for ly in model.layers if hasattr(ly, "rate"))
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ValueScreen))
        app.screen.query_one("#value-input").value = "0.001"
        await pilot.press("enter")
        await wait_until(pilot, lambda: all(ly.regularizers["kernel"].l2 == 0.001
                                            for ly in model.layers if ly.params))
        await pilot.press("q")
