"""Drawing the data through the live dashboard: clicks in the regions add points of the
chosen class where they were clicked, the trainer takes them at its next epoch and
trains on them, the change is logged, and the saved CSV trains headless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nntui.app.app import NntuiApp
from nntui.app.palette import screen_commands
from nntui.app.screens.data_options_screen import DataOptionsScreen
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.path_screen import PathScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.cli import main
from nntui.runlog.replay import read_jsonl_rows
from nntui.viz.scatter2d import point_cells
from tests.app.conftest import SIZE, asynctest, wait_until

CLICKS = [(5, 3), (20, 6), (33, 9)]  # (column, line) in the drawing picture


async def _paused_on_xor(app: NntuiApp, pilot: Any) -> TrainScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, LauncherScreen))
    await pilot.pause(0.2)
    app.screen.field("train.epochs").control.value = "50"
    app.screen.field("pace").control.value = "50"
    await pilot.pause(0.1)
    await pilot.press("ctrl+t")
    await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                     and app.screen.history.extras.get("kind") == "boundary", 30)
    screen = app.screen
    await pilot.press("space")
    await wait_until(pilot, lambda: screen.trainer.paused and screen.trainer.wait_until_paused(0))
    return screen


@asynctest
async def test_drawn_points_land_where_clicked_and_the_next_epoch_trains_on_them(
        tmp_path: Path, capsys) -> None:
    app = NntuiApp(preset="mlp-xor", runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _paused_on_xor(app, pilot)
        trainer, panel = screen.trainer, screen.arch_panel
        before = len(trainer.x)
        await pilot.press("d")
        await wait_until(pilot, lambda: panel.drawing is not None and panel.drawing.box)
        titles = {c.title for c in screen_commands(screen)}  # findable while drawing
        assert {"Draw: clicks erase points", "Draw: save the drawn data as a CSV"} <= titles
        await pilot.press("2")  # class index 1
        for col, line in CLICKS:  # the picture starts below the border and the title line
            await pilot.click("#arch-panel", offset=(1 + col, 2 + line))
        drawn = np.array(panel.drawing.points.added_x)
        assert len(drawn) == 3 and panel.drawing.points.added_y == [1, 1, 1]
        width, lines, extent = panel.drawing.box
        row, col, inside = point_cells(drawn, extent, width, 2 * lines)
        assert inside.all()
        assert [(c, (2 * lines - 1 - r) // 2) for r, c in zip(row, col, strict=True)] == CLICKS
        # the trainer takes them at its next epoch, then trains on them
        epochs: list[list[np.ndarray]] = []  # the batches of each epoch from now on
        batches = trainer.model.batches

        def recording(*args: Any, **kw: Any) -> Any:
            epochs.append([])
            for xb, yb in batches(*args, **kw):
                epochs[-1].append(np.asarray(xb))
                yield xb, yb
        trainer.model.batches = recording
        await pilot.press("e")  # to this epoch's end; the next one starts with them
        await wait_until(pilot, lambda: len(trainer.x) == before + 3, 20)
        epoch = trainer.epoch
        await pilot.press("space")  # train that whole epoch
        await wait_until(pilot, lambda: trainer.epoch > epoch, 20)
        await pilot.press("space")
        whole = [np.concatenate(e) for e in epochs if sum(len(b) for b in e) == before + 3]
        assert whole, [sum(len(b) for b in e) for e in epochs]  # an epoch over the new set
        used = whole[0]
        for point in drawn:
            assert np.any(np.all(np.isclose(used, point), axis=1)), point
        # noise and split, then save the set
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, DataOptionsScreen))
        app.screen.query_one("#split-input").value = "0.5"
        await pilot.press("enter")
        await wait_until(pilot, lambda: panel.drawing.points.split == 0.5)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, PathScreen))
        csv = tmp_path / "drawn.csv"
        app.screen.query_one("#path-input").value = str(csv)
        await pilot.press("enter")
        await wait_until(pilot, lambda: csv.with_suffix(".toml").exists())
        run_dir = screen.training.run_dir
        await pilot.press("q")
    rows = [r for r in read_jsonl_rows(run_dir / "metrics.jsonl") if r["kind"] == "change"]
    assert [r["value"] for r in rows[:3]] == [before + 1, before + 2, before + 3]
    assert {r["step"] for r in rows[:3]} == {rows[0]["step"]}  # all at one epoch's start
    assert rows[0]["text"].startswith("drew a point of class different sign at (")
    code = main(["train", str(csv.with_suffix(".toml")), "--epochs", "1", "--quiet",
                 "--log-dir", str(tmp_path / "headless")])
    assert code == 0, capsys.readouterr().err
    lines = csv.read_text().splitlines()
    assert lines[0] == "x1,x2,label" and len(lines) == 1 + 400 + 3


def test_d_is_offered_only_where_there_are_points_to_draw() -> None:
    # The footer offered "d Draw" on an LSTM, a seq2seq and a CNN run, where it can only
    # say no: only 2-D point data on a panel that draws takes it.
    from types import SimpleNamespace

    from nntui.presets import load_preset

    def offered(preset: str) -> bool | None:
        fake = SimpleNamespace(spec=load_preset(preset), history=SimpleNamespace(state="", pace=0))
        return TrainScreen.check_action(fake, "draw", ())  # type: ignore[arg-type]

    assert offered("mlp-spiral") and offered("perceptron-xor") and offered("logistic-blobs")
    for preset in ("lstm-sine", "seq2seq-dates", "cnn-shapes", "mlp-regression",
                   "gan-gaussians"):  # the ring of Gaussians: points, but the GAN's panel
        assert offered(preset) is False, preset
