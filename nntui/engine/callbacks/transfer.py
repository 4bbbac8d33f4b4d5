"""Callbacks of transfer learning: unfreeze the base at an epoch, and train a from-scratch
twin beside the transferred model so their held-out accuracies can be compared.

Keras's recipe for fine-tuning: train the new head on a frozen base, then unfreeze the
base and go on at a lower learning rate (:class:`Unfreeze`). :class:`FromScratch` answers
whether the base helped: the same network from random weights, on the same labelled
samples and the same number of epochs, its figures added to each epoch's logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nntui.engine.callbacks.base import Callback, Logs


class Unfreeze(Callback):
    """At the start of epoch ``at`` (counted from 1), make ``layers`` trainable and scale the
    learning rate by ``rate``.

    Args:
        at: the first epoch (1-based, as logged) in which the layers train.
        layers: the frozen base layers.
        rate: factor for the learning rate from then on (0.1: ten times smaller).
    """

    def __init__(self, at: int, layers: list[Any], rate: float) -> None:
        super().__init__()
        self.at, self.layers, self.rate = int(at), list(layers), float(rate)
        self.done = False

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        if self.done or epoch + 1 < self.at:
            return
        for layer in self.layers:
            layer.trainable = True
        self.model.optimizer.learning_rate = self.model.optimizer.learning_rate * self.rate
        self.done = True


class FromScratch(Callback):
    """Trains ``make_model()`` one epoch per epoch of the watched run, on the same samples
    with the same batch size, and logs ``scratch_loss``, ``scratch_val_loss`` and
    ``scratch_val_accuracy`` into the epoch's logs.

    Args:
        make_model: builds the compiled twin with fresh random weights.
        x, y: the labelled training samples (the same budget as the transferred model's).
        x_val, y_val: the held-out samples both are judged on.
        batch_size: as the watched run's.
        seed: seed of the twin's shuffles.
    """

    def __init__(self, make_model: Callable[[], Any], x: np.ndarray, y: np.ndarray,
                 x_val: np.ndarray, y_val: np.ndarray, batch_size: int, seed: int) -> None:
        super().__init__()
        self.make_model = make_model
        self.twin: Any = None
        self.data, self.val = (x, y), (x_val, y_val)
        self.batch_size = int(batch_size)
        self.rng = np.random.default_rng(seed + 7)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.twin is None:
            self.twin = self.make_model()
        twin, (x, y) = self.twin, self.data
        losses = [twin.train_step(xb, yb) * len(xb)
                  for xb, yb in twin.batches(x, y, self.batch_size, True, self.rng)]
        val = twin.evaluate_arrays(*self.val)
        if logs is not None:
            logs["scratch_loss"] = float(sum(losses) / max(len(x), 1))
            logs["scratch_val_loss"] = float(val["loss"])
            logs["scratch_val_accuracy"] = float(val["accuracy"])
