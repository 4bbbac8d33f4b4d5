"""A race: two configurations trained at once from the launcher, watched side by side.

The learner's classic question (sigmoid or ReLU? SGD or Adam? dropout or not?) in one
screen: both runs train on worker threads at full speed, each into its own run folder,
and :class:`RaceScreen` follows the two folders as ``nntui compare`` does. Esc ends
both runs and goes back to the launcher; their folders stay (``nntui compare`` them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from nntui.app.screens.changes_screen import ChangesScreen
from nntui.app.screens.compare_screen import CompareScreen

PROMPT = ("Race: these settings against the same with these changes (key=value, "
          "comma-separated), trained at once and shown side by side")


def ask_race(screen: Screen[Any], spec: Any) -> None:
    """Ask what the second run of a race changes, then start the race on ``spec``."""

    def answered(changes: list[str] | None) -> None:
        if changes:
            screen.app.start_race(spec, changes)  # type: ignore[attr-defined]

    screen.app.push_screen(ChangesScreen(PROMPT, "model.activation=sigmoid",
                                         allow_empty=False), answered)


class RaceScreen(CompareScreen):
    """The runs of a race (:class:`~nntui.app.workers.TrainingRun`), compared live."""

    BINDINGS = [
        Binding("escape", "back", "Launcher", key_display="esc",
                tooltip="End both runs and go back to the launcher (their folders stay)"),
        Binding("q", "app.quit", "Quit", tooltip="End both runs and quit"),
    ]

    def __init__(self, runs: list[Any]) -> None:
        self.runs = runs
        folders: list[str | Path] = [run.run_dir for run in runs]
        super().__init__(folders)

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = f"race: {self.sub_title or ''}"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every run after its step in flight and wait until its logs are closed."""
        for run in self.runs:
            run.stop()
        for run in self.runs:
            run.done.wait(timeout)

    def on_unmount(self) -> None:
        self.stop()

    def action_back(self) -> None:
        self.stop()
        self.dismiss()
