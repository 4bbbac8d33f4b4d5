"""The dashboard at an earlier step: a :class:`~nntui.app.history.RunHistory` rebuilt from
the run's own history (its curves cut at the step) and the snapshots kept in its run
folder (the layers, histograms and architecture panel as they were then).

Plain Python (no Textual): the timeline asks :func:`history_at` for the state at the
step it points to, and the panels draw that history as they draw a live one. At a
kept snapshot's step the result is the dashboard as it was right after that step:
the same curves, the same last :data:`~nntui.app.history.HIST_STEPS` snapshots in the
histograms, the same gradient norms and the same architecture panel.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from nntui.app.history import HIST_STEPS, BoundedSeries, RunHistory
from nntui.runlog.kept_files import Entry
from nntui.runlog.snapshot_store import SnapshotReader


@dataclass(frozen=True)
class Travelled:
    """Where the timeline is: the step shown and the snapshot the panels are drawn from."""

    step: int
    snapshot: Entry | None


def cut(series: BoundedSeries, step: int) -> BoundedSeries:
    """The points of ``series`` at or before ``step`` (a copy)."""
    out = BoundedSeries(series.cap, series.ema)
    n = bisect.bisect_right(series.x, step)
    out.x, out.y, out.smooth = series.x[:n], series.y[:n], series.smooth[:n]
    out.stride = series.stride
    return out


def history_at(full: RunHistory, snapshots: SnapshotReader, step: int) -> RunHistory:
    """The dashboard's history as it was at ``step``.

    Args:
        full: the run's history now (live, or replayed to its end).
        snapshots: the run folder's snapshots.
        step: the step to show; the panels draw the last kept snapshot at or before it.

    Raises:
        CheckpointError: a snapshot the step needs cannot be read (thinned meanwhile).
    """
    h = RunHistory(run_name=full.run_name, backend=full.backend, state="travel",
                   total_epochs=full.total_epochs, steps_per_epoch=full.steps_per_epoch,
                   learning_rate=full.learning_rate, pace=full.pace, pace_why=full.pace_why)
    h.step = step
    h.companions = full.companions  # a fork's parent, the runs compared: drawn whole
    h.epoch = _epoch_at(full, step)
    h.step_metrics = {k: cut(s, step) for k, s in full.step_metrics.items()}
    h.epoch_metrics = {k: cut(s, step) for k, s in full.epoch_metrics.items()}
    kept = [e for e in snapshots.entries if e.step <= step][-HIST_STEPS:]
    for i, entry in enumerate(kept):
        h.apply(snapshots.load(entry, extras=i == len(kept) - 1))
    h.grad_norms = {k: cut(s, step) for k, s in full.grad_norms.items()}
    h.curves_version = h.snapshot_version = h.status_version = step + 1
    return h


def _epoch_at(full: RunHistory, step: int) -> int:
    """The epoch step ``step`` belongs to (from the epoch rows: the first ending at or after it)."""
    ends = next(iter(full.epoch_metrics.values()), None)
    if ends is None or not ends.x:
        return full.epoch
    return bisect.bisect_left(ends.x, step) + 1


def nearest(entries: list[Entry], step: int, direction: int) -> Entry | None:
    """The kept entry after (``direction`` 1) or before (-1) ``step``; 0: at or before it."""
    if direction > 0:
        return next((e for e in entries if e.step > step), None)
    if direction < 0:
        return next((e for e in reversed(entries) if e.step < step), None)
    return next((e for e in reversed(entries) if e.step <= step), None)

