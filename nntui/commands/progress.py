"""A Rich progress display for ``fit(verbose=1)`` and ``nntui train``."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nntui.engine import events as ev


def _fmt(metrics: dict[str, float]) -> str:
    return "  ".join(f"{k}={v:.4g}" for k, v in metrics.items())


class ProgressPrinter:
    """Subscriber that shows one bar per epoch and prints each epoch's metrics."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress: Progress | None = None
        self.task: Any = None
        self.steps = 0

    def __call__(self, event: Any) -> None:
        if isinstance(event, ev.TrainingStarted):
            self.steps = event.steps_per_epoch
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                     TimeElapsedColumn(), console=self.console, transient=True)
            self.progress.start()
        elif isinstance(event, ev.StepCompleted) and self.progress is not None:
            if self.task is None or event.batch == 1:
                if self.task is not None:
                    self.progress.remove_task(self.task)
                self.task = self.progress.add_task(f"epoch {event.epoch}", total=self.steps,
                                                   info="")
            self.progress.update(self.task, completed=event.batch, info=_fmt(event.metrics))
        elif isinstance(event, ev.EpochCompleted):
            if self.progress is not None:
                self.progress.console.print(f"epoch {event.epoch}: {_fmt(event.metrics)}")
        elif isinstance(event, (ev.TrainingFinished, ev.TrainingFailed)) and self.progress:
            self.progress.stop()
            self.progress = None
