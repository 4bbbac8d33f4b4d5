"""The dashboard's screens: one shared dashboard, a live screen and a replay screen on top;
the architecture panel's choices as reactives; the inspector waiting on the trainer."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from rich.text import Text

from nntui.app.panels import SectionPanel
from nntui.app.panels.base import Section
from nntui.app.screens.dashboard_screen import DashboardScreen
from nntui.app.screens.inspector_screen import InspectorScreen
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.data.synthetic import load_xor
from nntui.engine.layers import get_layer_class
from nntui.engine.model import Input, Sequential
from nntui.engine.trainer import Trainer
from tests.app.conftest import asynctest
from tests.app.panel_harness import PanelApp, history_with_extras


def _actions(screen: type) -> set[str]:
    return {b.action for b in screen.BINDINGS}  # type: ignore[union-attr]


def test_live_and_replay_screens_share_one_dashboard_and_replay_has_no_controls() -> None:
    assert issubclass(TrainScreen, DashboardScreen)
    assert issubclass(ReplayScreen, DashboardScreen)
    assert not issubclass(ReplayScreen, TrainScreen)
    assert not hasattr(DashboardScreen, "live") and not hasattr(TrainScreen, "live")
    controls = {"toggle_pause", "step", "epoch", "reset", "inspect", "export"}
    assert controls <= _actions(TrainScreen)
    assert not controls & _actions(ReplayScreen)
    assert {"layer(-1)", "layer(1)"} <= _actions(ReplayScreen)


@asynctest
async def test_section_panel_view_probe_unit_are_reactives_that_redraw() -> None:
    extras = {"a": 1}

    class TwoViews(SectionPanel):
        def sections(self, extras: dict[str, Any], history: Any, width: int) -> list[Any]:
            return [Section(f"first p{self.probe} u{self.unit}", lambda w, h: Text("1"), 30),
                    Section(f"second p{self.probe} u{self.unit}", lambda w, h: Text("2"), 30)]

    app = PanelApp("mlp", history_with_extras(extras))
    async with app.run_test(size=(60, 20)) as pilot:
        old = app.panel
        panel = TwoViews("mlp")
        await old.remove()
        await app.mount(panel)
        panel.show(app.history)
        await pilot.pause()
        assert "first p0 u0" in _screen_text(app)
        panel.view = 1  # set from outside: no action, no manual refresh
        panel.probe = 2
        panel.unit = 3
        await pilot.pause()
        assert "second p2 u3" in _screen_text(app)


def _screen_text(app: Any) -> str:
    """What the terminal shows (the SVG screenshot's text)."""
    return app.export_screenshot().replace("&#160;", " ")


class _SlowPause(Trainer):
    """A trainer whose step in flight ends only when the test says so; its step count
    stays still meanwhile, so polling the count would call it idle too early."""

    def __init__(self) -> None:
        ds = load_xor(seed=0)
        model = Sequential([Input((2,)), get_layer_class("Dense")(2, activation="softmax")],
                           seed=0, backend="numpy")
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        super().__init__(model, ds.x_train, ds.y_train, validation_split=0.2)
        self.release = threading.Event()
        self.waited = 0

    def wait_until_paused(self, timeout: float = 5.0) -> bool:
        self.waited += 1
        return self.release.wait(timeout)


@asynctest
async def test_the_inspector_waits_for_the_trainer_to_be_idle_before_tracing() -> None:
    trainer = _SlowPause()
    trainer.pause()
    app = PanelApp("mlp", history_with_extras({}))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = InspectorScreen.from_trainer(trainer)
        released = threading.Timer(0.5, trainer.release.set)  # the step in flight ends
        start = time.monotonic()
        released.start()
        app.push_screen(screen)
        while screen.state is None and time.monotonic() - start < 5:
            await pilot.pause(0.02)
        # traced only once the trainer said it was idle (polling its step count, which
        # stands still, called it idle after ~60 ms)
        assert screen.state is not None and time.monotonic() - start >= 0.5
        assert trainer.waited == 1
        np.testing.assert_array_equal(screen.x, trainer.x[:4])  # training samples: u trains
