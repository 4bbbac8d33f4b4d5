"""``nntui compare RUN_A RUN_B``: the runs' curves in one chart under names that say what
differs, and each run's panels in its own column."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from textual.geometry import Size

from nntui.app.app import NntuiApp
from nntui.app.screens.compare_screen import CompareScreen, run_labels
from nntui.app.widgets.curves import CurvesPanel
from nntui.app.widgets.histograms import HistogramPanel
from nntui.cli import main
from nntui.runlog import read_jsonl_rows
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.test_timeline import finished_run


def text_of(panel: CurvesPanel) -> str:
    assert panel.history is not None
    console = Console(width=110, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(panel.build(panel.history, Size(110, 16)))
    return console.export_text()


@asynctest
async def test_two_runs_are_overlaid_under_what_differs_and_paired_below(
        tmp_path: Path) -> None:
    slow = finished_run(tmp_path / "slow", learning_rate=0.001)
    fast = finished_run(tmp_path / "fast", learning_rate=0.1)
    app = NntuiApp(compare=[str(slow), str(fast)], tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await wait_until(pilot, lambda: all(h.state == "finished" for h in screen.histories))
        assert screen.labels == ["0.001", "0.1"]
        assert "train.learning_rate" in screen.sub_title
        legend = text_of(screen.curves).splitlines()[0]
        for name in ("0.001", "0.001 val", "0.1", "0.1 val"):
            assert f"━━ {name} " in legend + " "
        for i, folder in enumerate((slow, fast)):
            rows = [r for r in read_jsonl_rows(folder / "metrics.jsonl") if r["kind"] == "step"]
            column = screen.run_column(i)
            histograms = column.query_one(HistogramPanel)
            assert histograms.history is screen.histories[i]
            assert screen.histories[i].step == rows[-1]["step"]
            assert f"loss {rows[-1]['loss']:.3g}" in str(screen.run_line(i))
        first, second = (h.step_metrics["loss"].y for h in screen.histories)
        assert first != second  # two runs, not one drawn twice


def test_labels_fall_back_to_the_folder_names_and_stay_unique() -> None:
    folders = [Path("runs/2026-12-05_2144_mlp-xor"), Path("elsewhere/2026-12-05_2150_mlp-xor")]
    assert run_labels(folders, [{}, {}]) == ["A mlp-xor", "B mlp-xor"]
    assert run_labels(folders, [{"model": {"activation": "relu"}},
                                {"model": {"activation": "tanh"}}]) == ["relu", "tanh"]


def test_compare_needs_two_folders_with_metrics(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    run = finished_run(tmp_path / "run")
    assert main(["compare", str(run)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"nntui: error: compare takes two run folders or more. Received: {str(run)!r} alone")
    assert main(["compare", str(run), str(tmp_path / "nope")]) == 2
    assert "run log not found" in capsys.readouterr().err


@pytest.mark.slow  # a live run (or two, or a script) under Pilot: seconds
@asynctest
async def test_ctrl_r_races_the_form_against_a_variant_side_by_side(make_app) -> None:
    from nntui.app.screens.launcher_screen import LauncherScreen
    from nntui.app.screens.race_screen import RaceScreen
    from nntui.runlog.config import read_config

    app = make_app(epochs=20)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LauncherScreen))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChangesScreen")
        await pilot.press("enter")  # nothing typed: said, nothing starts
        assert type(app.screen).__name__ == "ChangesScreen"
        await pilot.press(*"model.activation=tanh", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RaceScreen), timeout=20)
        race = app.screen
        assert isinstance(race, RaceScreen) and race.labels == ["relu", "tanh"]
        await wait_until(pilot, lambda: all(h.state == "finished" for h in race.histories),
                         timeout=30)
        folders = [run.run_dir for run in race.runs]
        assert [read_config(f)["model"]["activation"] for f in folders] == ["relu", "tanh"]
        relu, tanh = (h.step_metrics["loss"].y for h in race.histories)
        assert len(relu) == len(tanh) and relu != tanh
        await pilot.press("escape")
        assert isinstance(app.screen, LauncherScreen)
        assert all(run.done.is_set() for run in race.runs)
