"""A run folder as the event stream its trainer emitted: metric rows and snapshots merged.

:class:`RunStream` follows ``metrics.jsonl`` (:class:`~nntui.runlog.follow.RunReader`)
and ``snapshots/`` (:class:`~nntui.runlog.snapshot_store.SnapshotReader`) together and
hands out events in step order: a snapshot of step ``s`` after the row of step ``s``
and before the rows after it, as the trainer emitted them. Snapshots wait for the
rows of their step (in a synced folder either may arrive first). The dashboard folds
the stream into its history exactly as it folds a live run's events, so every panel
is drawn from the same data.

Only the newest snapshot of a read keeps its extras (the dashboard draws the latest
extras; the layers of every snapshot feed the histograms and gradient norms), so a
long run's replay does not decompress pictures nobody sees.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from nntui.engine import events as ev
from nntui.errors import CheckpointError
from nntui.runlog.follow import RunReader
from nntui.runlog.kept_files import Entry
from nntui.runlog.snapshot_store import SnapshotReader

END_EVENTS = (ev.TrainingFinished, ev.TrainingFailed)


class RunStream:
    """Events of one run folder, read incrementally.

    Args:
        logdir: a run folder (finished, or still being written here or elsewhere).

    Raises:
        CheckpointError: the folder is missing or holds no ``metrics.jsonl``.
    """

    def __init__(self, logdir: str | Path) -> None:
        self.metrics = RunReader(logdir)
        self.logdir = self.metrics.logdir
        self.snapshots = SnapshotReader(self.logdir)
        self.step = 0
        """The last step whose row has been read."""
        self.ended = False
        """An end row (finished, stopped, failed) has been read."""
        self._waiting: deque[Entry] = deque()
        self.damaged = 0
        """Snapshots that could not be read (damaged, or thinned before they were)."""
        self.first_damaged = ""

    @property
    def behind(self) -> bool:
        """More of the log is there to read now (read again after the next frame)."""
        return self.metrics.behind

    def read(self) -> list[Any]:
        """The events since the last call: rows, and snapshots placed among them.

        Raises:
            CheckpointError: the metrics log cannot be read (see ``RunReader``).
        """
        rows = self.metrics.read_events()
        self._waiting.extend(self.snapshots.poll())
        out: list[Any] = []
        for event in rows:
            step = getattr(event, "step", self.step)
            out.extend(self._release(lambda s, step=step: s < step))
            out.append(event)
            self.step = max(self.step, step)
            self.ended = self.ended or isinstance(event, END_EVENTS)
        out.extend(self._release(lambda s: s <= self.step or self.ended))
        return self._load(out)

    def _release(self, due: Any) -> list[Entry]:
        out: list[Entry] = []
        while self._waiting and due(self._waiting[0].step):
            out.append(self._waiting.popleft())
        return out

    def _load(self, items: list[Any]) -> list[Any]:
        """Entries turned into snapshot events (the last one with its extras)."""
        last = max((i for i, x in enumerate(items) if isinstance(x, Entry)), default=-1)
        out: list[Any] = []
        for i, item in enumerate(items):
            if not isinstance(item, Entry):
                out.append(item)
                continue
            try:
                out.append(self.snapshots.load(item, extras=i == last))
            except CheckpointError as exc:
                self.damaged += 1
                self.first_damaged = self.first_damaged or str(exc)
        return out
