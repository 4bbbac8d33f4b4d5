"""The layer editor through the app: a CNN built layer by layer, an invalid combination
marked with its reason and refused, the config saved and trained headless; a preset
fills the editor and the edited layers go back to the launcher and train."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from nntui.app.app import NntuiApp
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.layer_editor_screen import LayerEditorScreen
from nntui.app.screens.path_screen import PathScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.cli import main
from nntui.presets import load_preset
from nntui.runlog.config import read_config, to_toml_value
from nntui.runlog.replay import read_jsonl_rows
from tests.app.conftest import asynctest, wait_until


async def _editor(app: NntuiApp, pilot: Any) -> LayerEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, LauncherScreen))
    await pilot.pause(0.2)
    await pilot.press("ctrl+l")
    await wait_until(pilot, lambda: isinstance(app.screen, LayerEditorScreen), 30)
    await pilot.pause(0.2)
    screen = app.screen
    assert isinstance(screen, LayerEditorScreen)
    return screen


async def _set(screen: LayerEditorScreen, pilot: Any, **values: object) -> None:
    """Type the chosen row's settings into its form (the type first), each time until the
    row has it."""
    def row() -> dict[str, Any]:
        return screen.tables[screen.chosen]

    if "type" in values:
        kind = values.pop("type")
        screen.query_one("#layer-type-field").control.value = kind
        await wait_until(pilot, lambda: row()["type"] == kind and screen._shown == screen.chosen
                         and screen.query_one("#layer-type-field").control.value == kind)
        await pilot.pause(0.1)  # the new form's fields mounted with their defaults
    for name, value in values.items():
        screen.query_one(f"#layer-{name.replace('_', '-')}-field").control.value = str(value)
        await wait_until(pilot, lambda n=name, v=value: str(row().get(n)) == str(v))


@asynctest
async def test_a_cnn_built_layer_by_layer_is_checked_saved_and_trained(tmp_path: Path,
                                                                       capsys) -> None:
    config = load_preset("cnn-shapes").to_dict()
    config["dataset"]["n_samples"] = 200  # small: the editor builds the model on the data
    start = tmp_path / "cnn-small.toml"
    start.write_text(tomli_w.dumps(to_toml_value(config)), encoding="utf-8")
    app = NntuiApp(preset=str(start), runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await _editor(app, pilot)
        assert [t["type"] for t in editor.tables] == ["Conv2D", "MaxPooling2D", "Conv2D",
                                                      "MaxPooling2D", "Flatten", "Dense"]
        for _ in range(5):  # down to one layer, then build it up
            await pilot.press("x")
        assert len(editor.tables) == 1
        await _set(editor, pilot, type="Conv2D", filters=4, kernel_size=5, activation="relu")
        await pilot.press("a")
        await _set(editor, pilot, type="MaxPooling2D", pool_size=2)
        await pilot.press("a")
        await _set(editor, pilot, type="Dense", units=4, activation="softmax")
        # a Dense layer on images cannot connect: marked on its row with the reason
        assert editor.checks[2].error.startswith("Dense layer 'dense' expects inputs of shape")
        assert "Add a Flatten() layer" in editor.problem
        row = editor.rows.get_row_at(2)
        assert str(row[0]) == "✗3" and str(row[3]) == "does not fit"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, PathScreen)  # refused: nothing saved
        # a Flatten before it connects everything
        await pilot.press("up", "a")
        await _set(editor, pilot, type="Flatten")
        assert editor.problem == ""
        assert [r.output_shape for r in editor.checks] == [(24, 24, 4), (12, 12, 4), (576,),
                                                           (4,)]
        assert [r.params for r in editor.checks] == [104, 0, 0, 2308]
        path = tmp_path / "my-cnn.toml"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, PathScreen))
        app.screen.query_one("#path-input").value = str(path)
        await pilot.press("enter")
        await wait_until(pilot, lambda: editor.saved == path)
    config = read_config_file(path)
    assert [layer["type"] for layer in config["model"]["layers"]] == [
        "Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    code = main(["train", str(path), "--epochs", "1", "--quiet",
                 "--log-dir", str(tmp_path / "headless")])
    assert code == 0, capsys.readouterr().err
    (run,) = (tmp_path / "headless").iterdir()
    assert read_config(run)["model"] == config["model"]
    assert [r["kind"] for r in read_jsonl_rows(run / "metrics.jsonl")][-2:] == [
        "epoch", "finished"]


def read_config_file(path: Path) -> dict[str, Any]:
    from nntui.runlog.config import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


@asynctest
async def test_a_preset_fills_the_editor_and_its_edit_trains(tmp_path: Path) -> None:
    app = NntuiApp(preset="mlp-spiral", runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _editor(app, pilot)
        assert [(t["type"], t.get("units"), t.get("activation")) for t in editor.tables] == [
            ("Dense", 64, "relu"), ("Dense", 64, "relu"), ("Dense", 3, "softmax")]
        await _set(editor, pilot, units=8, activation="tanh")
        await pilot.press("down")
        await _set(editor, pilot, units=6, activation="sigmoid")
        await pilot.press("a")
        await _set(editor, pilot, units=4, activation="elu")
        assert [r.params for r in editor.checks] == [24, 54, 28, 15]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LauncherScreen))
        launcher = app.screen
        assert launcher.base["model"]["layers"][2] == {"type": "Dense", "units": 4,
                                                       "activation": "elu"}
        assert launcher.field("model.hidden").control.disabled
        launcher.field("pace").control.value = "full"
        await pilot.pause(0.1)
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.trainer is not None)
        model = app.screen.trainer.model
        assert [(ly.units, ly.activation_name) for ly in model.layers] == [
            (8, "tanh"), (6, "sigmoid"), (4, "elu"), (3, "softmax")]
        await pilot.press("q")


def test_layer_editor_snapshot(snap_compare: Any) -> None:
    """A CNN with a Dense layer on images: the row is red, the reason under the table."""
    from textual.app import App

    from nntui.architectures.layer_table import LayerContext
    from tests.app.test_app_snapshots import CSS

    tables = [{"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"},
              {"type": "MaxPooling2D", "pool_size": 2}, {"type": "Dense", "units": 32,
                                                         "activation": "relu"},
              {"type": "Flatten"}, {"type": "Dense", "units": 4, "activation": "softmax"}]

    class EditorApp(App[None]):
        CSS_PATH = str(CSS)

        def on_mount(self) -> None:
            self.push_screen(LayerEditorScreen(tables, LayerContext((28, 28, 1),
                                                                    "classification", 4),
                                               {"name": "cnn"}, "CNN on drawn shapes"))

    async def choose_the_bad_row(pilot: Any) -> None:
        await pilot.press("down", "down")
        await pilot.pause(0.2)

    assert snap_compare(EditorApp(), terminal_size=(100, 30), run_before=choose_the_bad_row)
