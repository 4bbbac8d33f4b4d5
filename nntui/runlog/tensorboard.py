"""TensorBoard event files, written with tensorboardX's protobufs and record writer.

Tags (read them in TensorBoard's Scalars / Histograms tabs):

- ``batch/<metric>``, ``batch/learning_rate``, ``batch/samples_per_second``
  at the global step, one point per optimizer step;
- ``epoch/<metric>`` (``epoch/loss``, ``epoch/val_loss``, ...) at the global step
  of the epoch's last batch, so batch and epoch curves share one x axis (Keras
  uses the epoch number; a shared axis also lets a resumed run hide stale points);
- ``weights/<layer>/<param>``, ``grads/<layer>/<param>``, ``activations/<layer>``
  histograms and ``grad_norm/<layer>``, ``dead_fraction/<layer>`` scalars at the
  snapshot's step.

Why not ``SummaryWriter``: its ``add_scalar`` hands every value to a
``multiprocessing.Queue`` drained by a thread; on the trainer thread that cost
400-600 µs per step (four scalars), more than a whole step of a small MLP. Here
one ``Event`` per step carries all of the step's scalars and is appended
synchronously to a buffered file (~75 µs), in the same format (tensorboardX's
``EventsWriter``, the class ``SummaryWriter`` itself writes through).

tensorboardX is imported when the first writer is created, not with this module:
it imports PyTorch when PyTorch is installed, which costs seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nntui.engine.events import EpochCompleted, LayerSnapshot, SnapshotTaken, StepCompleted

HISTOGRAM_BINS = 64  # equal-width bins between the array's min and max


class TensorBoardLog:
    """Writes step and epoch scalars and snapshot histograms under ``logdir``.

    Args:
        logdir: the folder for the event file (``<run>/tb``), created if missing.
        flush_secs: the longest time written events stay in the file buffer; a
            killed run loses at most this many seconds of TensorBoard data
            (the CSV/JSONL logs lose none).
    """

    def __init__(self, logdir: Path, flush_secs: float = 10.0) -> None:
        from tensorboardX import summary
        from tensorboardX.event_file_writer import EventsWriter
        from tensorboardX.proto.event_pb2 import Event, SessionLog
        from tensorboardX.proto.summary_pb2 import Summary

        logdir.mkdir(parents=True, exist_ok=True)
        self.logdir = logdir
        self._summary = summary
        self._event_cls: Any = Event
        self._summary_cls: Any = Summary
        self._session_log_cls: Any = SessionLog
        # EventsWriter names files by the second and opens them with "wb". A second
        # logger started within the same second (a quick resume) must neither clobber
        # the first file nor sort before it: TensorBoard reads files in name order.
        suffix = f".{time.time_ns():020d}"
        self._writer: Any = EventsWriter(str(logdir / "events"), filename_suffix=suffix)
        self._flush_secs = flush_secs
        self._last_flush = time.monotonic()
        self._closed = False

    def step(self, event: StepCompleted) -> None:
        scalars = dict(event.metrics)
        scalars["learning_rate"] = event.learning_rate
        scalars["samples_per_second"] = event.samples_per_second
        self._scalars("batch/", scalars, event.step)
        if time.monotonic() - self._last_flush > self._flush_secs:
            self.flush()

    def epoch(self, event: EpochCompleted) -> None:
        self._scalars("epoch/", event.metrics, event.step)

    def resumed(self, start_step: int) -> None:
        """Mark a resumed run: TensorBoard hides points logged after ``start_step``
        by the earlier, interrupted session (they are about to be logged again)."""
        session_log = self._session_log_cls(status=self._session_log_cls.START)
        self._writer.write_event(
            self._event_cls(wall_time=time.time(), step=start_step + 1, session_log=session_log)
        )

    def snapshot(self, event: SnapshotTaken) -> None:
        values: list[Any] = []
        for layer in event.layers:
            values.extend(self._layer_values(layer))
        if values:
            self._write(self._summary_cls(value=values), event.step)

    def _layer_values(self, layer: LayerSnapshot) -> Iterable[Any]:
        for param, array in layer.weights.items():
            yield from self._histogram(f"weights/{layer.name}/{param}", array)
        for param, array in layer.grads.items():
            yield from self._histogram(f"grads/{layer.name}/{param}", array)
        if layer.activation is not None:
            yield from self._histogram(f"activations/{layer.name}", layer.activation)
        yield self._scalar(f"grad_norm/{layer.name}", layer.grad_norm)
        if layer.dead_fraction is not None:
            yield self._scalar(f"dead_fraction/{layer.name}", layer.dead_fraction)

    def _histogram(self, tag: str, array: np.ndarray) -> Iterable[Any]:
        # A diverged run has NaN/inf weights; np.histogram cannot bin them, and a
        # histogram of the finite rest is still worth seeing.
        values = np.asarray(array, dtype=np.float64).ravel()
        values = values[np.isfinite(values)]
        if values.size:
            yield from self._summary.histogram(tag, values, bins=HISTOGRAM_BINS).value

    def _scalar(self, tag: str, value: float) -> Any:
        return self._summary_cls.Value(tag=tag, simple_value=float(value))

    def _scalars(self, prefix: str, scalars: Mapping[str, float], step: int) -> None:
        values = [self._scalar(prefix + name, value) for name, value in scalars.items()]
        self._write(self._summary_cls(value=values), step)

    def _write(self, summary: Any, step: int) -> None:
        if not self._closed:
            self._writer.write_event(
                self._event_cls(wall_time=time.time(), step=int(step), summary=summary)
            )

    def flush(self) -> None:
        """Write buffered events to disk (and fsync)."""
        if not self._closed:
            self._writer.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush and close; closed even when the flush fails (then raised)."""
        if not self._closed:
            try:
                self.flush()
            finally:
                self._closed = True
                self._writer.close()
