"""A replayed run renders the panels the live dashboard rendered, step for step.

One real run (a CNN on shapes: curves, histograms, gradient norms, the layer table and
the architecture panel with feature maps and a confusion matrix) writes its run folder
while the test keeps the live dashboard's history. At several steps the rendered text of
every panel is compared three ways: live, a replay following the folder as it grows,
and time travel back to that step once the run has ended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.geometry import Size

import nntui.panel_data as panel_data_module
from nntui.app.history import RunHistory
from nntui.app.panels import panel_for
from nntui.app.time_travel import history_at
from nntui.app.widgets.activation_table import layer_cells
from nntui.app.widgets.curves import CurvesPanel
from nntui.app.widgets.grad_norms import GradNormPanel
from nntui.app.widgets.histograms import HistogramPanel
from nntui.engine import events as ev
from nntui.runlog import RunLogger
from nntui.runlog.run_checkpoint import CheckpointWriter
from nntui.runlog.stream import RunStream
from tests.app.panel_harness import tiny_session

SIZES = [Size(70, 24), Size(44, 12)]


def rendered(history: RunHistory, arch: str) -> dict[str, str]:
    """Every dashboard panel's text at two sizes, and the layer table's cells."""
    out: dict[str, str] = {"layers": repr(layer_cells(history))}
    for panel in (CurvesPanel("c"), HistogramPanel("h"), GradNormPanel("g"), panel_for(arch)(arch)):
        for size in SIZES:
            console = Console(width=size.width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
            console.print(panel.build(history, size))
            out[f"{type(panel).__name__}@{size.width}"] = console.export_text(styles=True)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Train once; keep the live renders, the follower's renders, and the folder."""
    folder = Path(tmp_path_factory.mktemp("fidelity")) / "run"
    session = tiny_session("cnn-shapes", "dataset.n_samples=480", "train.epochs=2")
    trainer = session.trainer(snapshot_every=2, on_divergence="raise")
    logger = RunLogger(folder, tensorboard=False, budget_mb=0)
    live = RunHistory()
    follower = RunHistory()
    out: dict[str, Any] = {"live": {}, "followed": {}, "folder": folder}
    stream: list[RunStream] = []
    pending: list[int] = []  # a snapshot step waiting for the next step (its epoch row)

    def watch(event: Any) -> None:
        if isinstance(event, ev.StepCompleted | ev.TrainingFinished) and pending:
            step = pending.pop()  # everything of that step is in: compare now
            out["live"][step] = rendered(live, "cnn")
            logger.snapshots.flush()
            if not stream:
                stream.append(RunStream(folder))
            for e in stream[0].read():
                follower.apply(e)
            out["followed"][step] = rendered(follower, "cnn")
        live.apply(event)
        if isinstance(event, ev.SnapshotTaken):
            pending[:] = [event.step]

    trainer.subscribe(watch)  # first: it compares before the logger writes the new step
    trainer.subscribe(logger.handle)
    trainer.subscribe(CheckpointWriter(logger, trainer))
    old = panel_data_module.MIN_INTERVAL
    panel_data_module.MIN_INTERVAL = 0.0  # every snapshot with its own panel data
    try:
        trainer.run()
    finally:
        panel_data_module.MIN_INTERVAL = old
        logger.close()
    out["end"] = live
    return out


def test_the_run_wrote_what_the_comparison_needs(run: dict[str, Any]) -> None:
    assert len(run["live"]) >= 4
    first = next(iter(run["live"].values()))
    assert "conv2d" in first["layers"] and "confusion" in "".join(first.values())


def test_a_replay_following_the_folder_renders_what_the_live_dashboard_did(
        run: dict[str, Any]) -> None:
    for step, live in run["live"].items():
        assert run["followed"][step] == live, step


def test_time_travel_in_the_finished_run_renders_each_step_as_it_was(
        run: dict[str, Any]) -> None:
    stream = RunStream(run["folder"])
    replayed = RunHistory()
    for e in stream.read():
        replayed.apply(e)
    assert rendered(replayed, "cnn") == rendered(run["end"], "cnn")  # the end, as live
    for step, live in run["live"].items():
        assert rendered(history_at(replayed, stream.snapshots, step), "cnn") == live, step
    moved = rendered(history_at(replayed, stream.snapshots, min(run["live"])), "cnn")
    assert moved != rendered(replayed, "cnn")  # the steps do differ
