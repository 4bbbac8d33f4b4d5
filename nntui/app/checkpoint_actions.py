"""What the timeline does at a kept checkpoint: open the inspector on its model, or fork it.

Both rebuild the run from its folder alone (``config.toml`` and the kept checkpoint),
so they work the same in a live run, a replay, or a run trained elsewhere. Building a
session loads its dataset, so it runs on a worker thread; the screen is pushed back on
the UI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nntui.app.screens.changes_screen import ChangesScreen
from nntui.errors import NntuiError


def _catalog(screen: Any) -> Any:
    from nntui.app.catalog import PresetCatalog

    return getattr(screen, "catalog", None) or getattr(screen.app, "catalog", None) or \
        PresetCatalog()


def restored_trainer(folder: Path, step: int, catalog: Any) -> Any:
    """A trainer whose model is the kept checkpoint of ``folder`` at ``step`` (not run).

    Raises:
        NntuiError: no such checkpoint, a config that cannot be built, a checkpoint that
            does not fit it.
    """
    from nntui.runlog.checkpoint import load_checkpoint
    from nntui.runlog.config import read_config
    from nntui.runlog.fork import fork_point
    from nntui.runlog.run_checkpoint import restore_run

    point = fork_point(folder, step)
    spec = catalog.spec_from_dict(read_config(folder))
    session = catalog.build_session(spec)
    trainer = session.trainer(snapshot_every=0, on_divergence="pause")
    restore_run(trainer, load_checkpoint(point.checkpoint))
    return trainer


def inspect_checkpoint(screen: Any, step: int) -> None:
    """Push the inspector on the model of ``screen``'s run at the kept ``step``."""
    folder = screen.run_folder()
    if folder is None:
        return
    catalog = _catalog(screen)
    screen.notify(f"loading the checkpoint of step {step} …", timeout=3)

    def load() -> None:
        try:
            trainer = restored_trainer(folder, step, catalog)
        except NntuiError as exc:
            screen.app.call_from_thread(screen.notify, str(exc), title="inspector",
                                        severity="error", markup=False)
            return
        screen.app.call_from_thread(_push_inspector, screen, trainer, step)

    screen.run_worker(load, thread=True, exit_on_error=False, group="checkpoint")


def _push_inspector(screen: Any, trainer: Any, step: int) -> None:
    from nntui.app.screens.inspector_screen import BATCH, InspectorScreen
    from nntui.inspect.state import inspection_batch

    # the restored trainer never runs: the inspector has no step in flight to wait for,
    # and u changes only this copy of the model, never the run
    x, y = inspection_batch(trainer.x, trainer.y, BATCH)
    inspector = InspectorScreen(trainer.model, x, y, source="training")
    inspector.sub_title = f"the kept checkpoint of step {step}"
    screen.app.push_screen(inspector)


def fork_checkpoint(screen: Any, step: int) -> None:
    """Ask for the fork's changes; then train it on a new dashboard."""
    folder = screen.run_folder()
    if folder is None:
        return

    def answered(overrides: list[str] | None) -> None:
        if overrides is not None:
            screen.app.start_fork(f"{folder}@{step}", overrides)

    prompt = (f"Fork {folder.name} at step {step}: train on from its checkpoint in a new run "
              "folder, with these changes (key=value, comma-separated; empty: none, it "
              "continues exactly as the run did)")
    screen.app.push_screen(ChangesScreen(prompt, "train.learning_rate=0.001, train.epochs=20"),
                           answered)
