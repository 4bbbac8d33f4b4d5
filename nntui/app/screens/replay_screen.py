"""The dashboard for a run folder: finished, or still being written (followed)."""

from __future__ import annotations

from pathlib import Path

from nntui.app.screens.train_screen import TrainScreen
from nntui.engine import events as ev
from nntui.errors import NntuiError
from nntui.runlog import RunReader, rows_to_events

POLL_SECONDS = 0.5


class ReplayScreen(TrainScreen):
    """Reads ``metrics.jsonl`` with :class:`~nntui.runlog.RunReader`, polling for new rows."""

    def __init__(self, logdir: str | Path) -> None:
        super().__init__()
        self.reader = RunReader(logdir)  # CheckpointError: shown by the app
        self.sub_title = str(logdir)

    def on_mount(self) -> None:
        super().on_mount()
        config = self.reader.config
        train = config.get("train", {})
        self.history.apply(ev.TrainingStarted(
            str(config.get("name", self.reader.logdir.name)), str(train.get("backend", "?")),
            int(train.get("epochs", 0) or 0), 0, config))
        self.history.state = "replay"
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        """Feed the rows written since the last poll."""
        try:
            events = rows_to_events(self.reader.poll())
        except NntuiError as exc:
            self.notify(str(exc), title="replay", severity="error")
            return
        h = self.history
        for event in events:
            if isinstance(event, ev.StepCompleted):
                h.steps_per_epoch = max(h.steps_per_epoch, event.batch)
        self.feed(events)
        if h.state in ("running", "starting"):
            h.state = "replay"
        if events:
            self.frame()
