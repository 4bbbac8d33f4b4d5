"""Export from the live dashboard (``x``): checkpoint and screenshot into the run folder
(its ``config.toml`` is written at the start), asking before anything is overwritten."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.screen import Screen

from nntui.app.screens.confirm_screen import ConfirmScreen
from nntui.app.workers import TrainingRun
from nntui.errors import NntuiError

EXPORT_TIMEOUT = 10.0  # seconds to wait for the trainer to reach the end of a step


def export_run(screen: Screen[None], run: TrainingRun | None) -> None:
    """Export ``run`` from ``screen`` (notifications say what was written or why not)."""
    if run is None or run.run_dir is None:
        screen.notify("nothing to export yet", severity="warning")
        return
    try:
        paths = run.export_paths()
    except NntuiError as exc:
        screen.notify(str(exc), title="export", severity="error", markup=False)
        return
    # the run checkpoints itself at every epoch end: a newer one of the same run is no loss
    existing = [p.name for key, p in paths.items() if key == "screenshot" and p.exists()]
    if not existing:
        screen.run_worker(_export(screen, run, paths), group="export", exclusive=True)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_worker(_export(screen, run, paths), group="export", exclusive=True)

    screen.app.push_screen(ConfirmScreen(f"Overwrite {' and '.join(existing)} in "
                                         f"{run.run_dir}?"), answered)


async def _export(screen: Screen[None], run: TrainingRun, paths: dict[str, Path]) -> None:
    try:
        shot = paths["screenshot"]
        screen.app.save_screenshot(filename=shot.name, path=str(shot.parent))
        run.write_config()
        await asyncio.wait_for(asyncio.wrap_future(run.checkpoint()), EXPORT_TIMEOUT)
    except NntuiError as exc:
        screen.notify(str(exc), title="export", severity="error", timeout=10, markup=False)
        return
    except TimeoutError:
        screen.notify("the trainer did not reach the end of a step; try again",
                      title="export", severity="error")
        return
    screen.notify(f"checkpoint, config.toml and screenshot.svg in {run.run_dir}",
                  title="exported", timeout=8, markup=False)
