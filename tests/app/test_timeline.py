"""Pilot tests of the timeline: keys and mouse move every panel to the chosen step, in a
replay and in a live run; the inspector opens on a kept checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.app.app import NntuiApp
from nntui.app.screens.dashboard_screen import DashboardScreen
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.widgets.panel import Panel
from nntui.app.widgets.timeline import LABEL_WIDTH, Timeline
from nntui.runlog import RunLogger
from nntui.runlog.run_checkpoint import CheckpointWriter
from nntui.runlog.snapshot_store import SnapshotReader
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog


def finished_run(folder: Path, epochs: int = 3, **train: object) -> Path:
    """A run folder of the fake catalog's XOR MLP (``train`` changes its settings): a
    snapshot every 4 steps, a kept checkpoint at each epoch end."""
    catalog = FakeCatalog(epochs)
    spec = catalog.load_preset("mlp-xor")
    session = catalog.build_session(spec.with_train(**train) if train else spec)
    trainer = session.trainer(snapshot_every=4, on_divergence="raise")
    with RunLogger(folder, tensorboard=False, budget_mb=0) as logger:
        trainer.subscribe(logger.handle)
        trainer.subscribe(CheckpointWriter(logger, trainer))
        trainer.run()
    return folder


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished run, only read by the tests."""
    return finished_run(tmp_path_factory.mktemp("timeline") / "run")


def panel_steps(screen: DashboardScreen) -> set[int]:
    """The step of the history each panel draws (one value when they agree)."""
    return {p.history.step for p in screen.query(Panel) if p.history is not None}


def entries(screen: DashboardScreen) -> list[int]:
    reader = screen.snapshot_reader()
    return [] if reader is None else [e.step for e in reader.entries]


def weights_shown(screen: DashboardScreen) -> tuple[int, np.ndarray]:
    """``(step, values)``: the first layer's weights the histograms draw."""
    history = screen.histogram_panel.history
    assert history is not None
    latest = history.latest(history.layer_names()[0], "weights")
    assert latest is not None
    return latest


@asynctest
async def test_keys_move_every_panel_through_the_kept_snapshots_and_end_comes_back(
        run_folder: Path) -> None:
    folder = run_folder
    kept = [e.step for e in SnapshotReader(folder).poll()]
    app = NntuiApp(replay_dir=folder, catalog=FakeCatalog(), tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.history.state == "finished")
        end = screen.history.step
        await pilot.press("t")
        timeline = screen.timeline
        assert timeline.has_focus and timeline.snapshots == kept
        assert timeline.checkpoints and timeline.checkpoints[-1] == end
        await pilot.press("left")
        previous = max(s for s in kept if s < end)
        assert timeline.at == previous and panel_steps(screen) == {previous}
        assert len(screen.histogram_panel.history.step_metrics["loss"]) == previous
        await pilot.press("left", "left")
        two_back = max(s for s in kept if s < previous - 4)
        assert panel_steps(screen) == {two_back} == {timeline.at}
        assert screen.history.step == end  # the run itself is not cut
        # the histograms draw that step's weights, read from its snapshot
        reader = SnapshotReader(folder)
        reader.poll()
        entry = reader.at(two_back)
        assert entry is not None and entry.step == two_back
        saved = reader.load(entry).layers[0].weights
        step, shown = weights_shown(screen)
        assert step == two_back
        np.testing.assert_array_equal(shown, np.concatenate([np.ravel(w) for w in
                                                             saved.values()]))
        await pilot.press("right")
        assert timeline.at == min(s for s in kept if s > two_back)
        await pilot.press("home")
        assert timeline.at == kept[0] and panel_steps(screen) == {kept[0]}
        await pilot.press("end")
        assert timeline.at is None and panel_steps(screen) == {end}
        assert screen.shown is screen.history


@asynctest
async def test_a_click_on_the_bar_travels_to_the_snapshot_under_it(run_folder: Path) -> None:
    folder = run_folder
    app = NntuiApp(replay_dir=folder, catalog=FakeCatalog(), tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.history.state == "finished")
        screen.update_timeline()
        timeline = screen.timeline
        width = timeline.size.width - LABEL_WIDTH
        end = screen.history.step
        middle = (width - 1) // 2  # the bar's middle column: half way through the run
        await pilot.click(Timeline, offset=(1 + LABEL_WIDTH + middle, 0))
        half = round(middle / (width - 1) * end)
        expected = max(s for s in timeline.snapshots if s <= half)
        assert timeline.at == expected and panel_steps(screen) == {expected}
        await pilot.click(Timeline, offset=(1 + LABEL_WIDTH + width - 1, 0))
        assert timeline.at is None and panel_steps(screen) == {end}


@pytest.mark.slow  # a live run (or two, or a script) under Pilot: seconds
@asynctest
async def test_in_a_live_run_the_panels_stay_at_the_chosen_step_while_it_trains(
        make_app) -> None:
    app = make_app(epochs=100_000)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.start_training(app.catalog.load_preset("mlp-xor"), pace=200)
        await wait_until(pilot, lambda: len(entries(screen)) >= 3, timeout=20)
        await pilot.press("t", "left", "left")
        at = screen.timeline.at
        assert at is not None and panel_steps(screen) == {at}
        now = screen.history.step
        await wait_until(pilot, lambda: screen.history.step > now + 5)  # still training
        screen.frame()  # the frames that draw the new steps
        assert panel_steps(screen) == {at} and screen.timeline.end > now
        await pilot.press("end")
        assert screen.timeline.at is None and panel_steps(screen) == {screen.history.step}
        await pilot.press("q")


@asynctest
async def test_i_on_the_timeline_opens_the_inspector_on_the_kept_checkpoint(
        run_folder: Path) -> None:
    from nntui.app.screens.inspector_screen import InspectorScreen
    from nntui.runlog.checkpoint import load_checkpoint
    from nntui.runlog.fork import kept_checkpoints

    folder = run_folder
    first = kept_checkpoints(folder)[0]
    app = NntuiApp(replay_dir=folder, catalog=FakeCatalog(), tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.history.state == "finished")
        await pilot.press("t", "home")
        assert screen.timeline.at is not None and screen.timeline.at < first.step
        await pilot.press("i")  # before the first checkpoint: said so, nothing opens
        await pilot.pause(0.1)
        assert any("no checkpoint kept at or before" in n.message for n in app._notifications)
        await pilot.press("shift+right", "i")
        assert screen.timeline.at == first.step
        await wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen))
        inspector = app.screen
        saved = load_checkpoint(first.checkpoint).arrays
        layer = next(la for la in inspector.model.layers if "kernel" in la.params)
        kernel = next(v for k, v in saved.items() if k.endswith("/kernel"))
        np.testing.assert_array_equal(np.asarray(layer.params["kernel"]), kernel)
        assert inspector.sub_title == f"the kept checkpoint of step {first.step}"
        last = load_checkpoint(kept_checkpoints(folder)[-1].checkpoint).arrays
        assert not np.array_equal(next(v for k, v in last.items() if k.endswith("/kernel")),
                                  kernel)  # the first checkpoint's, not the run's end
