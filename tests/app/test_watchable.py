"""Watchable by default: a small run plays at a pace a learner can follow, a large one at
full speed; the status line says how fast, labelled; the pace is a key and a launcher
field."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from nntui.app.app import NntuiApp
from nntui.app.pace import (
    FULL_SPEED_ABOVE,
    WATCH_SECONDS,
    AutoPace,
    PaceChosen,
    choose_pace,
    parse_pace,
)
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.widgets.status_line import status_text
from nntui.engine import events as ev
from nntui.errors import ConfigError
from nntui.presets import load_preset
from tests.app.conftest import asynctest, wait_until
from tests.app.test_findable import _visible_footer_keys


def test_small_runs_are_slowed_to_play_over_the_watch_time_and_large_ones_are_not() -> None:
    # 1520 steps at 0.5 ms each: 0.76 s at full speed, played over WATCH_SECONDS instead
    pace = choose_pace(1520, 0.0005)
    assert 1520 / pace == pytest.approx(WATCH_SECONDS, rel=0.01)
    assert choose_pace(20_000, 0.001) == 0.0  # 20 s at full speed: watchable as it is
    assert choose_pace(100, FULL_SPEED_ABOVE / 100) == 0.0
    assert choose_pace(10, 0.001) >= 2.0  # a handful of steps still moves


def test_auto_pace_times_the_first_steps_then_decides_once() -> None:
    chosen: list[float] = []
    sent: list[PaceChosen] = []
    auto = AutoPace(lambda p: chosen.append(p) or True, sent.append)
    auto(ev.TrainingStarted("r", "numpy", 40, 38))
    for step in range(1, 11):  # 1 ms a step: 1.5 s for the whole run
        auto(ev.StepCompleted(step, 1, step, {}, 0.01, 1.0, 0.001 * step))
    assert len(chosen) == 1 and chosen[0] == pytest.approx(1520 / WATCH_SECONDS, rel=0.01)
    assert sent[0].why == "auto" and sent[0].full_speed_seconds == pytest.approx(1.52)


@pytest.mark.parametrize(("text", "pace"), [("auto", None), ("", None), ("full", 0.0),
                                            ("0", 0.0), ("20", 20.0), ("12.5 steps/s", 12.5)])
def test_parse_pace(text: str, pace: float | None) -> None:
    assert parse_pace(text) == pace


def test_a_bad_pace_names_the_field_and_quotes_the_value() -> None:
    with pytest.raises(ConfigError, match=r"pace must be .* Received: 'fast'"):
        parse_pace("fast")


def test_the_status_line_labels_wall_time_pace_and_compute() -> None:
    from nntui.app.history import RunHistory
    from tests.app.fakes import fake_events

    h = RunHistory()
    for e in fake_events(steps=40):
        h.apply(e)
    h.apply(PaceChosen(40, 12.5, "auto", 1.0))
    for text in (status_text(h).plain, status_text(h, compact=True, width=78).plain):
        assert "steps/s" in text and "compute 5" in text and "samples/s" in text
        assert "wall 0:0" in text and "watch" in text


@asynctest
async def test_enter_on_the_default_preset_plays_at_a_watchable_pace(tmp_path) -> None:
    app = NntuiApp(runs_dir=tmp_path, tensorboard=False)  # the real default preset
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.history.pace_why == "auto", timeout=20)
        screen = app.screen
        h = screen.history
        assert h.pace > 0 and h.total_steps / h.pace >= 10.0  # seconds of learning to watch
        await pilot.pause(1.0)
        assert h.state == "running" and h.step < h.total_steps / 2
        assert ("w", "Full speed") in {(k.key_display, k.description) for k in
                                       screen.query("FooterKey")}
        assert "w" in _visible_footer_keys(app)
        await pilot.press("w")  # the visible control: full speed
        await wait_until(pilot, lambda: h.state == "finished", timeout=30)
        await pilot.press("q")


@asynctest
async def test_a_long_run_goes_full_speed_by_itself(make_app) -> None:
    app = make_app(epochs=100_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.history.pace_why == "auto")
        assert app.screen.history.pace == 0.0 and app.screen.trainer.pace == 0.0
        await pilot.press("q")


@asynctest
async def test_the_launchers_pace_field_sets_the_runs_pace(make_app) -> None:
    app = make_app(epochs=100_000)
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.field("pace").control.value = "10"
        await pilot.pause()
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.trainer is not None and app.screen.trainer.step > 6)
        screen = app.screen
        assert screen.trainer.pace == 10.0 and screen.history.pace_why == "launcher"
        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: not isinstance(app.screen, TrainScreen))
        pace = app.screen.field("pace").control
        assert isinstance(pace, Select)
        pace.value = "full"
        await pilot.pause()
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.trainer is not None and app.screen.trainer.step > 20)
        assert app.screen.trainer.pace == 0.0 and app.screen.history.pace_why == "launcher"
        await pilot.press("q")


def test_the_default_preset_ends_near_where_its_learning_ends() -> None:
    """mlp-spiral reached 99.7 % after 3 of 40 epochs: the preset should not run on."""
    spec = load_preset("mlp-spiral")
    assert spec.train.epochs <= 15


def test_steps_shown_a_second_are_counted_over_bursts_and_fall_to_zero_when_still() -> None:
    from nntui.app.pace import StepRate

    rate = StepRate()
    for frame in range(9):  # 2 frames a second, 10 steps each, every step of a burst
        for step in range(frame * 10 + 1, frame * 10 + 11):
            rate.arrived(step, now=frame * 0.5 + step * 1e-5)
    assert rate.per_second(now=4.01) == pytest.approx(20.0, rel=0.01)
    assert rate.per_second(now=6.0) == 0.0  # nothing arrived for 2 s: paused or ended
