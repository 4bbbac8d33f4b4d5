"""SVG snapshots of the launcher and of a dashboard fed a fixed event stream."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from textual.app import App

from nntui.app.app import NntuiApp
from nntui.app.screens.train_screen import TrainScreen
from nntui.architectures import build_session
from nntui.engine import events as ev
from nntui.presets import load_preset
from tests.app.fakes import FakeCatalog, fake_events
from tests.app.panel_harness import trained_history

SIZE = (120, 40)
CSS = Path(__file__).resolve().parents[2] / "nntui" / "app" / "nntui.tcss"


@functools.cache
def xor_panel_data() -> dict[str, Any]:
    """The architecture panel's data of a real mlp-xor run of 120 steps (6 epochs): the
    fresh snapshot it ended with, so the scripted dashboard's panel is fed and true."""
    session = build_session(load_preset("mlp-xor", overrides=["train.epochs=6"]))
    history = trained_history(session, snapshot_every=10)
    assert history.step == 120 and history.extras_step == 120 and history.extras["fresh"]
    return history.extras


class ScriptedTrainScreen(TrainScreen):
    """The live dashboard, but its events come from ``fake_events`` (120 steps) instead of
    a trainer; the architecture panel gets real data of step 120 (a trained XOR MLP)."""

    def start_run(self) -> None:
        self.feed(fake_events())
        self.feed([ev.SnapshotTaken(120, 6, (), xor_panel_data(), fresh=True)])
        self.history.wall_ended = self.history.wall_started  # the same wall clock each time
        self.frame()


class DashboardApp(App[None]):
    CSS_PATH = str(CSS)
    TITLE = "nntui"

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
