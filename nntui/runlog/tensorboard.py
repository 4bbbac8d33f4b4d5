"""TensorBoard event files through tensorboardX's ``SummaryWriter``.

Tags (read them in TensorBoard's Scalars / Histograms tabs):

- ``batch/<metric>``, ``batch/learning_rate``, ``batch/samples_per_second``
  at the global step, one point per optimizer step;
- ``epoch/<metric>`` (``epoch/loss``, ``epoch/val_loss``, ...) at the epoch number,
  as Keras's TensorBoard callback does;
- ``weights/<layer>/<param>``, ``grads/<layer>/<param>``, ``activations/<layer>``
  histograms and ``grad_norm/<layer>``, ``dead_fraction/<layer>`` scalars at the
  snapshot's step.

tensorboardX is imported when the first writer is created, not with this module:
it imports PyTorch when PyTorch is installed, which costs seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nntui.engine.events import EpochCompleted, LayerSnapshot, SnapshotTaken, StepCompleted


class TensorBoardLog:
    """Writes step and epoch scalars and snapshot histograms to ``logdir``.

    Args:
        logdir: the folder for the event files (``<run>/tb``).
        flush_secs: how often the background writer flushes to disk; a killed run
            loses at most this many seconds of TensorBoard data (CSV/JSONL lose none).
    """

    def __init__(self, logdir: Path, flush_secs: int = 10, max_queue: int = 1024) -> None:
        from tensorboardX import SummaryWriter

        self.logdir = logdir
        self._writer: Any = SummaryWriter(
            logdir=str(logdir), flush_secs=flush_secs, max_queue=max_queue
        )
        self._closed = False

    def step(self, event: StepCompleted) -> None:
        add = self._writer.add_scalar
        for name, value in event.metrics.items():
            add(f"batch/{name}", float(value), event.step)
        add("batch/learning_rate", float(event.learning_rate), event.step)
        add("batch/samples_per_second", float(event.samples_per_second), event.step)

    def epoch(self, event: EpochCompleted) -> None:
        for name, value in event.metrics.items():
            self._writer.add_scalar(f"epoch/{name}", float(value), event.epoch)

    def snapshot(self, event: SnapshotTaken) -> None:
        for layer in event.layers:
            self._layer(layer, event.step)

    def _layer(self, layer: LayerSnapshot, step: int) -> None:
        for param, array in layer.weights.items():
            self._histogram(f"weights/{layer.name}/{param}", array, step)
        for param, array in layer.grads.items():
            self._histogram(f"grads/{layer.name}/{param}", array, step)
        if layer.activation is not None:
            self._histogram(f"activations/{layer.name}", layer.activation, step)
        self._writer.add_scalar(f"grad_norm/{layer.name}", float(layer.grad_norm), step)
        if layer.dead_fraction is not None:
            self._writer.add_scalar(f"dead_fraction/{layer.name}", layer.dead_fraction, step)

    def _histogram(self, tag: str, array: np.ndarray, step: int) -> None:
        # A diverged run has NaN/inf weights; np.histogram cannot bin them, and a
        # histogram of the finite rest is still worth seeing.
        values = np.asarray(array, dtype=np.float64).ravel()
        values = values[np.isfinite(values)]
        if values.size:
            self._writer.add_histogram(tag, values, step)

    def flush(self) -> None:
        if not self._closed:
            self._writer.flush()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._writer.close()
