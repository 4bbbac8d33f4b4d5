"""What the dashboard does with its timeline: the panels at an earlier step, the inspector
or a fork at a kept checkpoint.

:class:`TimeTravelControls` is mixed into
:class:`~nntui.app.screens.dashboard_screen.DashboardScreen`; the screens on top say
where their run folder is (:meth:`TimeTravelControls.run_folder`). Everything is read
from that folder (its kept snapshots and checkpoints), so a live run, a replay and a
run trained on another machine travel alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from nntui.app.history import RunHistory
from nntui.app.time_travel import history_at
from nntui.app.widgets.timeline import Timeline
from nntui.errors import CheckpointError
from nntui.runlog.kept_files import KeptIndex
from nntui.runlog.rundir import CHECKPOINTS_DIR
from nntui.runlog.snapshot_store import SnapshotReader

if TYPE_CHECKING:
    _Base = Any
else:
    _Base = object


class TimeTravelControls(_Base):
    """The timeline's side of the dashboard (a mixin of ``DashboardScreen``)."""

    history: RunHistory
    travelled: RunHistory | None
    _kept: tuple[Path, SnapshotReader, KeptIndex] | None

    def run_folder(self) -> Path | None:
        """The folder the run is written to (None: not yet)."""
        return None

    def snapshot_reader(self) -> SnapshotReader | None:
        """The run's kept snapshots, polled (None: no run folder yet)."""
        kept = self._kept_readers()
        if kept is None:
            return None
        kept[1].poll()
        return kept[1]

    def kept_checkpoints(self) -> list[int]:
        """Steps of the run's kept checkpoints, ascending."""
        kept = self._kept_readers()
        if kept is None:
            return []
        kept[2].poll()
        return sorted(e.step for e in kept[2].ready.values())

    def _kept_readers(self) -> tuple[Path, SnapshotReader, KeptIndex] | None:
        folder = self.run_folder()
        if folder is None:
            return None
        if self._kept is None or self._kept[0] != folder:
            self._kept = (folder, SnapshotReader(folder), KeptIndex(folder / CHECKPOINTS_DIR))
        return self._kept

    def update_timeline(self) -> None:
        """The timeline's run: its last step, kept snapshots and checkpoints."""
        try:
            reader = self.snapshot_reader()
            steps = [e.step for e in reader.entries] if reader is not None else []
            self.timeline.set_run(self.history.step, steps, self.kept_checkpoints())
        except CheckpointError:
            return  # the folder went away or cannot be read: the timeline stays as it was

    # keys and messages ----------------------------------------------------------------
    def action_travel(self) -> None:
        """Focus the timeline (← → then move through the run)."""
        self.update_timeline()
        self.timeline.focus()
        if not self.timeline.snapshots:
            self.notify("no snapshots kept yet: the timeline fills as the run goes on",
                        timeout=4)

    def on_timeline_moved(self, message: Timeline.Moved) -> None:
        self.travel(message.step)

    def travel(self, step: int | None) -> None:
        """Show the panels at ``step`` (None: the run as it is now)."""
        reader = self.snapshot_reader()
        if step is None or reader is None:
            self.travelled = None
            self.show_panels(self.history)
            return
        try:
            self.travelled = history_at(self.history, reader, step)
        except CheckpointError as exc:
            self.notify(str(exc), title="time travel", severity="error", markup=False)
            return
        self.show_panels(self.travelled)

    def on_timeline_asked(self, message: Timeline.Asked) -> None:
        kept = [s for s in self.kept_checkpoints() if s <= message.step]
        if not kept:
            self.notify(f"no checkpoint kept at or before step {message.step} (one is kept "
                        "at every epoch end)", severity="warning", timeout=5)
            return
        if message.what == "inspect":
            self.inspect_checkpoint(kept[-1])
        else:
            self.fork_checkpoint(kept[-1])

    def inspect_checkpoint(self, step: int) -> None:
        """Open the inspector on the model of the kept checkpoint at ``step``."""
        from nntui.app.checkpoint_actions import inspect_checkpoint

        inspect_checkpoint(self, step)

    def fork_checkpoint(self, step: int) -> None:
        """Ask for changed settings, then train on from the kept checkpoint at ``step``."""
        from nntui.app.checkpoint_actions import fork_checkpoint

        fork_checkpoint(self, step)
