"""Pilot tests of a fork started from the app's timeline: a new run folder that records its
parent, trained on from the kept checkpoint, drawn with its parent's curves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from textual.geometry import Size

from nntui.app.app import NntuiApp
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.widgets.curves import CurvesPanel
from nntui.runlog import read_jsonl_rows
from nntui.runlog.fork import kept_checkpoints
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog
from tests.app.test_timeline import finished_run


@pytest.fixture(scope="module")
def parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished run the tests fork (only read)."""
    return finished_run(tmp_path_factory.mktemp("fork") / "parent")


def step_losses(folder: Path) -> dict[int, float]:
    return {r["step"]: r["loss"] for r in read_jsonl_rows(folder / "metrics.jsonl")
            if r.get("kind") == "step" and "loss" in r}


def legend(screen: TrainScreen | ReplayScreen) -> str:
    """The curves panel's text as drawn now."""
    history = screen.query_one(CurvesPanel).history
    assert history is not None
    console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(CurvesPanel("c").build(history, Size(100, 20)))
    return console.export_text()


@asynctest
async def test_f_on_the_timeline_forks_with_the_typed_changes_and_draws_the_parent(
        parent: Path, tmp_path: Path) -> None:
    first = kept_checkpoints(parent)[0]
    app = NntuiApp(replay_dir=parent, catalog=FakeCatalog(), runs_dir=tmp_path / "runs",
                   tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.history.state == "finished")
        await pilot.press("t", "home", "shift+right", "f")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChangesScreen")
        await pilot.press(*"train.learning_rate=0.05", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.history.step >= first.step + 2, timeout=20)
        fork = app.screen
        assert isinstance(fork, TrainScreen)
        await pilot.press("space")  # pause: the rows of its first steps are written
        folder = fork.run_folder()
        assert folder is not None
        record = json.loads((folder / "fork.json").read_text())
        assert record["step"] == first.step and Path(record["parent_abs"]) == parent.resolve()
        assert record["changes"] == {"train.learning_rate": [0.01, 0.05]}
        losses = step_losses(folder)
        assert min(losses) == first.step + 1  # its rows begin after the fork's step
        # the first loss is the checkpoint's model's; the step after it, the new rate's
        assert losses[first.step + 1] == step_losses(parent)[first.step + 1]
        assert losses[first.step + 2] != step_losses(parent)[first.step + 2]
        [(name, drawn)] = fork.history.companions
        assert name == "parent" and drawn.step == screen.history.step
        text = legend(fork)
        assert "parent" in text and "train" in text


@asynctest
async def test_a_fork_with_nothing_changed_continues_as_the_parent_did(
        parent: Path, tmp_path: Path) -> None:
    first = kept_checkpoints(parent)[0]
    app = NntuiApp(catalog=FakeCatalog(), runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.start_fork(f"{parent}@5", []) is None  # no checkpoint there: one message
        await pilot.pause()
        [note] = [n.message for n in app._notifications if "keeps no checkpoint" in n.message]
        assert "Received: step=5" in note and f"{first.step}" in note
        fork = app.start_fork(f"{parent}@{first.step}", [], pace=0)
        assert fork is not None
        await wait_until(pilot, lambda: fork.history.state == "finished", timeout=20)
        folder = fork.run_folder()
        assert folder is not None
        mine, theirs = step_losses(folder), step_losses(parent)
        assert mine == {s: v for s, v in theirs.items() if s > first.step}  # bit for bit
