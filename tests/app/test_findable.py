"""Findable: the keys a newcomer needs are in the footer at 80 columns; help lists every
key of the screen it is opened from; every action is in the command palette under a
name a learner would search; Escape asks before it ends a run; ``--preset`` opens the
launcher on the preset; a click chooses a preset and a double click trains it."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from nntui.app.app import NntuiApp
from nntui.app.palette import screen_commands
from nntui.app.screens.confirm_screen import ConfirmScreen
from nntui.app.screens.help_screen import HelpScreen
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.cli import _parser
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog

NEWCOMER_KEYS = {"space", "i", "?", "q"}
PACE = "50"  # steps a second: the run goes on, and the app is idle between steps, so
             # Pilot's keys (which wait for an idle app) do not wait a second each
STOCK_WORDING = ("Quit the application as soon as possible", "Save an SVG 'screenshot'",
                 "Show help for the focused widget", "Maximize the focused widget",
                 "Change the current theme", "Hide the keys and widget help panel")


async def watched(app: NntuiApp, pilot: Any) -> TrainScreen:
    """Start the launcher's run at a pace of PACE steps a second; its screen once it runs."""
    launcher = app.screen
    assert isinstance(launcher, LauncherScreen)
    launcher.field("pace").control.value = PACE
    await pilot.pause()
    await pilot.press("ctrl+t")
    await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                     and app.screen.trainer is not None and app.screen.trainer.step > 2)
    screen = app.screen
    assert isinstance(screen, TrainScreen)
    return screen


def _visible_footer_keys(app: NntuiApp) -> set[str]:
    """Footer keys drawn whole inside the terminal (not cut at its right edge)."""
    width = app.size.width
    return {k.key_display for k in app.screen.query(FooterKey)
            if k.region.width and k.region.right <= width and "-command-palette" not in k.classes}


def _help_keys(app: NntuiApp) -> set[str]:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return {key for key, _, _ in screen.rows}


@asynctest
async def test_the_dashboards_keys_are_in_the_footer_help_and_palette_at_80x24(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await watched(app, pilot)
        await pilot.pause(0.3)
        # the footer: the keys a newcomer needs, whole, at 80 columns
        assert NEWCOMER_KEYS | {"n", "w"} <= _visible_footer_keys(app), _visible_footer_keys(app)
        # help: every key of the dashboard, the architecture panel's v, p, u included
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = _help_keys(app)
        for key in ("space", "n", "e", "r", "+", "-", "l", "w", "x", "i", "[", "]", "?", "q",
                    "esc", "v", "p", "u", "ctrl+p", "f1"):
            assert key in keys, (key, keys)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        # the palette: every action once, by a learner's name, no stock wording
        commands = list(app.get_system_commands(screen))
        titles = [c.title for c in commands]
        assert len(titles) == len(set(titles)), titles
        text = " ".join(f"{c.title} {c.help}" for c in commands)
        for stock in STOCK_WORDING:
            assert stock not in text
        lowered = [t.lower() for t in titles]
        for word in ("full speed", "layer", "view", "probe", "unit", "pause", "step", "epoch",
                     "reset", "learning rate", "inspect", "export", "launcher", "help", "quit",
                     "theme"):
            assert any(word in t for t in lowered), (word, titles)
        covered = {c.action for c in screen_commands(screen)}
        actions = {b.action for b in TrainScreen.BINDINGS if not b.action.startswith("app.")}
        actions -= {"watch"}  # w is watch or full speed, whichever applies: full speed now
        panel = {b.action for b in screen.arch_panel.BINDINGS  # those that act now
                 if screen.arch_panel.check_action(b.action.split("(")[0], ()) is not False}
        assert actions | panel <= covered, (actions | panel) - covered
        # and an entry runs its action
        pause = next(c for c in commands if c.title.startswith("Pause or resume"))
        await pause.callback()
        await wait_until(pilot, lambda: screen.trainer.paused)
        await pilot.press("q")


@asynctest
async def test_question_mark_opens_help_on_the_launcher_too(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LauncherScreen)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = _help_keys(app)
        assert {"ctrl+t", "?", "q", "ctrl+p"} <= keys
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LauncherScreen))


@asynctest
async def test_escape_during_a_run_asks_first_and_a_second_escape_keeps_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await watched(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # the extra press: closes the question, keeps the run
        await pilot.pause(0.2)
        assert app.screen is screen and not screen.training.done.is_set()
        step = screen.trainer.step
        await wait_until(pilot, lambda: screen.trainer.step > step)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, LauncherScreen))
        assert screen.training.done.is_set()


def test_the_preset_option_says_what_it_does() -> None:
    help_text = next(a.help for a in _parser()._actions if "--preset" in a.option_strings)
    assert "launcher" in help_text


@asynctest
async def test_preset_opens_the_launcher_on_that_preset_without_training(tmp_path) -> None:
    app = NntuiApp(preset="perceptron-blobs", catalog=FakeCatalog(), runs_dir=tmp_path,
                   tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        launcher = app.screen
        assert isinstance(launcher, LauncherScreen)
        assert launcher.architecture == "perceptron" and launcher.base["name"] == \
            "perceptron-blobs"
        presets = launcher.query_one("#presets", OptionList)
        assert presets.get_option_at_index(presets.highlighted or 0).id == "perceptron-blobs"
        assert app.catalog.built == []  # type: ignore[attr-defined]
        await pilot.press("enter")  # Enter trains it
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen))
        await pilot.press("q")


@asynctest
async def test_a_click_chooses_a_preset_and_a_double_click_trains_it(tmp_path) -> None:
    app = NntuiApp(runs_dir=tmp_path, tensorboard=False)  # the real presets
    async with app.run_test(size=SIZE) as pilot:
        launcher = app.screen
        assert isinstance(launcher, LauncherScreen) and launcher.architecture == "mlp"
        presets = launcher.query_one("#presets", OptionList)
        row = [presets.get_option_at_index(i).id for i in range(presets.option_count)
               ].index("mlp-xor") + 1  # + the list's top border
        assert launcher.base["name"] != "mlp-xor"
        await pilot.click("#presets", offset=(4, row))
        await pilot.pause(0.2)
        assert launcher.base["name"] == "mlp-xor"  # chosen: the form shows it
        assert app.screen is launcher  # and nothing trains
        await pilot.click("#presets", offset=(4, row), times=2)
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen))
        assert app.screen.spec.name == "mlp-xor"
        await pilot.press("q")


CLI_ADVICE = ("--set", "train.clipnorm", "--data-dir", "NNTUI_DATA_DIR", "data_dir=")


@asynctest
async def test_advice_names_the_apps_own_controls_not_command_line_options(make_app, tmp_path
                                                                         ) -> None:
    from nntui.data.download import RemoteFile, fetch
    from nntui.engine import events as ev
    from nntui.errors import DatasetError

    try:  # the real message of a failed download (a mirror that cannot be reached)
        fetch(RemoteFile("t10k.gz", "0" * 64, ("file:///nonexistent/",)), tmp_path / "cache")
    except DatasetError as exc:
        download = str(exc)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await watched(app, pilot)
        screen.trainer.pause()
        await wait_until(pilot, lambda: screen.trainer.paused)
        screen.trainer._diverged({"loss": float("nan")})  # what the trainer says on NaN
        await wait_until(pilot, lambda: screen.history.state == "diverged")
        await pilot.pause(0.6)
        alert = str(screen.query_one("#alert").render())
        assert "clipnorm field" in alert and "launcher" in alert  # divergence: clipnorm
        assert not any(advice in alert for advice in CLI_ADVICE), alert
        screen.buffer(ev.TrainingFailed(screen.trainer.step, download))
        await wait_until(pilot, lambda: screen.history.state == "failed")
        await pilot.pause(0.6)
        alert = str(screen.query_one("#alert").render())
        assert "data folder" in alert  # a failed download: the launcher's data folder
        assert not any(advice in alert for advice in CLI_ADVICE), alert
        await pilot.press("q")


def _keys(bindings: Any) -> set[str]:
    return {k.strip() for b in bindings for k in b.key.split(",")}


def test_no_panel_key_hides_a_dashboard_key() -> None:
    # A focused panel's binding wins over the screen's: the GPT panel's `t` (temperature)
    # once made the dashboard's `t` (time travel) unreachable while it had the focus.
    import nntui.app.panels  # noqa: F401  (registers every architecture's panel)
    from nntui.app.screens.replay_screen import ReplayScreen
    from nntui.app.widgets.arch_panel import ARCH_PANELS

    dashboard = _keys(TrainScreen.BINDINGS) | _keys(ReplayScreen.BINDINGS)
    assert {"t", "space", "n", "i", "q"} <= dashboard
    assert len(ARCH_PANELS) >= 8
    clashes = {view: _keys(cls.BINDINGS) & dashboard for view, cls in ARCH_PANELS.items()}
    assert {view: keys for view, keys in clashes.items() if keys} == {}
