"""``nntui replay LOGDIR``: the dashboard follows a run folder while it is written."""

from __future__ import annotations

from nntui.app.app import NntuiApp
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.runlog import RunLogger
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog, fake_events


@asynctest
async def test_replay_follows_a_growing_log(tmp_path) -> None:
    events = [e for e in fake_events(steps=60) if type(e).__name__ != "SnapshotTaken"]
    logger = RunLogger(tmp_path / "run", tensorboard=False)
    for e in events[:31]:
        logger.handle(e)
    app = NntuiApp(replay_dir=tmp_path / "run", catalog=FakeCatalog(), tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.history.step == 29)  # 20 steps, epoch, 9 steps
        assert "toggle_pause" not in {b.action for b in screen.BINDINGS}  # nothing to control
        for e in events[31:]:
            logger.handle(e)
        await wait_until(pilot, lambda: screen.history.step == 60)
        assert screen.history.state == "replay"
    logger.close()


@asynctest
async def test_replay_of_a_missing_folder_is_an_error_message_not_a_traceback(tmp_path) -> None:
    app = NntuiApp(replay_dir=tmp_path / "nope", catalog=FakeCatalog(), tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LauncherScreen"
        assert any("run log not found" in n.message for n in app._notifications)


@asynctest
async def test_a_corrupt_line_is_skipped_the_rest_shown_and_said_once(tmp_path) -> None:
    events = [e for e in fake_events(steps=60) if type(e).__name__ != "SnapshotTaken"]
    with RunLogger(tmp_path / "run", tensorboard=False) as logger:
        for e in events:
            logger.handle(e)
    path = tmp_path / "run" / "metrics.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:40] + [b"{not json\n"] + lines[40:]))
    app = NntuiApp(replay_dir=tmp_path / "run", catalog=FakeCatalog(), tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.history.step == 60)
        await pilot.pause(1.6)  # three more polls
        notes = [n.message for n in app._notifications if "skipped" in n.message]
        assert len(notes) == 1 and "(first: metrics.jsonl:41: " in notes[0]
        assert len(screen.history.step_metrics["loss"]) == 60  # every other row is shown


def test_replay_of_a_folder_without_metrics_is_one_line_and_exit_2(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.run([sys.executable, "-m", "nntui", "replay", str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"nntui: error: no metrics in {tmp_path}: metrics.jsonl is missing"]
