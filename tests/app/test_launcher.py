"""Pilot tests of the launcher: the form, its validation, starting a run."""

from __future__ import annotations

from textual.widgets import Input, Select

from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.widgets.form_field import LayerChoices
from tests.app.conftest import SIZE, asynctest, wait_until


@asynctest
async def test_enter_on_the_default_preset_starts_training(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LauncherScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.trainer is not None and app.screen.trainer.step > 0)
        assert [s.name for s in app.catalog.built] == ["mlp-xor"]
        await pilot.press("q")


@asynctest
async def test_form_values_reach_the_spec(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        launcher = app.screen
        launcher.query_one("#model-hidden", Input).value = "16, 4"
        launcher.query_one("#train-learning-rate", Input).value = "0.05"
        await pilot.pause()
        launcher.query_one("#model-activation", LayerChoices).value = "tanh,tanh"
        await pilot.pause()
        assert launcher.invalid_fields == {}
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: bool(app.catalog.built))
        spec = app.catalog.built[0]
        assert spec.model["hidden"] == [16, 4] and spec.model["activation"] == "tanh"
        assert spec.train.learning_rate == 0.05
        await pilot.press("q")


@asynctest
async def test_invalid_learning_rate_is_marked_and_nothing_starts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        launcher = app.screen
        launcher.query_one("#train-learning-rate", Input).value = "-1"
        await pilot.pause()
        assert "learning_rate must be > 0" in launcher.invalid_fields["train.learning_rate"]
        assert launcher.field("train.learning_rate").has_class("-invalid")
        await pilot.press("ctrl+t")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen is launcher and app.catalog.built == []


@asynctest
async def test_bad_layers_text_is_marked(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#model-hidden", Input).value = "64,x"
        await pilot.pause()
        assert "whole numbers separated by commas" in app.screen.invalid_fields["model.hidden"]


@asynctest
async def test_choosing_an_architecture_loads_its_default_preset(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#architectures", offset=(4, 1))  # the first entry: Perceptron
        await pilot.pause()
        assert app.screen.architecture == "perceptron"
        assert app.screen.base["name"] == "perceptron-blobs"
        assert app.screen.query_one("#dataset", Select).value == "blobs"
        # a click chooses; it does not train (Enter or a double click does)
        assert isinstance(app.screen, LauncherScreen) and app.catalog.built == []


@asynctest
async def test_too_small_terminal_shows_a_message(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause(0.1)
        assert type(app.screen).__name__ == "TooSmallScreen"
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.1)
        assert isinstance(app.screen, LauncherScreen)


@asynctest
async def test_the_leaky_slope_field_reaches_the_spec_and_a_wrong_pair_is_marked(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        launcher = app.screen
        launcher.query_one("#model-negative-slope", Input).value = "0.01"
        await pilot.pause()
        assert "acts only on leaky_relu" in launcher.invalid_fields["model.negative_slope"]
        first_layer = launcher.query_one("#model-activation", LayerChoices).query(Select).first()
        first_layer.value = "leaky_relu"  # as a learner picks it: the form validates again
        await wait_until(pilot, lambda: launcher.invalid_fields == {})
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: bool(app.catalog.built))
        spec = app.catalog.built[0]
        assert spec.model["negative_slope"] == 0.01
        assert spec.model["activation"] in ("leaky_relu", ["leaky_relu", "relu"])
        await pilot.press("q")
