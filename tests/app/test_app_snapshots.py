"""SVG snapshots of the launcher and of a dashboard fed a fixed event stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from nntui.app.app import NntuiApp
from nntui.app.screens.train_screen import TrainScreen
from tests.app.fakes import FakeCatalog, fake_events

SIZE = (120, 40)
CSS = Path(__file__).resolve().parents[2] / "nntui" / "app" / "nntui.tcss"


class ScriptedTrainScreen(TrainScreen):
    """The live dashboard, but its events come from ``fake_events`` instead of a trainer."""

    def start_run(self) -> None:
        self.feed(fake_events())
        self.history.wall_ended = self.history.wall_started  # the same wall clock each time
        self.frame()


class DashboardApp(App[None]):
    CSS_PATH = str(CSS)

    def on_mount(self) -> None:
        spec = FakeCatalog().load_preset("mlp-xor")
        self.push_screen(ScriptedTrainScreen(spec, FakeCatalog()))


def test_launcher_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app = NntuiApp(catalog=FakeCatalog(), runs_dir=tmp_path, tensorboard=False)
    assert snap_compare(app, terminal_size=SIZE)


def test_launcher_marks_an_invalid_learning_rate_snapshot(snap_compare: Any,
                                                          tmp_path: Path) -> None:
    async def type_bad_rate(pilot: Any) -> None:
        await pilot.click("#train-learning-rate")
        await pilot.press(*"-1")
        pilot.app.screen.query_one("#presets").focus()  # no blinking cursor in the picture
        await pilot.pause()

    app = NntuiApp(catalog=FakeCatalog(), runs_dir=tmp_path, tensorboard=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=type_bad_rate)


def test_dashboard_snapshot(snap_compare: Any) -> None:
    assert snap_compare(DashboardApp(), terminal_size=SIZE)


def test_dashboard_snapshot_at_80x24(snap_compare: Any) -> None:
    assert snap_compare(DashboardApp(), terminal_size=(80, 24))


def test_dashboard_second_layer_snapshot(snap_compare: Any) -> None:
    async def next_layer(pilot: Any) -> None:
        await pilot.press("right_square_bracket")
        await pilot.pause(0.6)  # the histogram panel redraws at most every 0.5 s

    assert snap_compare(DashboardApp(), terminal_size=SIZE, run_before=next_layer)


def test_too_small_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app = NntuiApp(catalog=FakeCatalog(), runs_dir=tmp_path, tensorboard=False)
    assert snap_compare(app, terminal_size=(50, 15))
