"""Keras's callback contract: a ``Callback`` with hooks the trainer calls at fixed points,
a ``CallbackList`` that calls every one, ``History``, and the small callbacks.

The trainer calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin(e)``,
per batch ``on_train_batch_begin(b)`` / ``on_train_batch_end(b, logs)``, and
``on_epoch_end(e, logs)``; finally ``on_train_end(logs)``. Epochs and batches count
from 0, as in Keras. Batch logs hold the epoch's running means so far; epoch logs
the epoch means and ``val_*`` entries, and a callback may add keys to them (Keras's
``LearningRateScheduler`` adds ``learning_rate``) before ``History`` records them.
Setting ``self.model.stop_training = True`` ends training after the current batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

Logs = dict[str, float]


class Callback:
    """Base class: override the hooks you need; ``self.model`` is the model being trained,
    ``self.params`` holds ``epochs``, ``steps`` and ``verbose``."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None: ...
    def on_train_end(self, logs: Logs | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_end(batch, logs)


class CallbackList:
    """Calls a hook on every callback in order (Keras's ``CallbackList``)."""

    def __init__(self, callbacks: Sequence[Callback] | None = None, model: Any = None,
                 params: dict[str, Any] | None = None) -> None:
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(dict(params or {}))

    def __bool__(self) -> bool:
        return bool(self.callbacks)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs)


class History(Callback):
    """Records every epoch's logs: ``history.history["loss"]`` holds one value per epoch,
    ``history.epoch`` the epoch indices (from 0, as Keras). ``fit`` returns it and sets
    ``model.history`` to it."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.add(epoch, logs or {})

    def add(self, epoch: int, metrics: Logs) -> None:
        self.epoch.append(epoch)
        for k, v in metrics.items():
            self.history.setdefault(k, []).append(v)


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args: ``on_epoch_begin``, ``on_epoch_end``, ``on_train_begin``, ``on_train_end``,
    ``on_train_batch_begin``, ``on_train_batch_end`` (Keras's signatures); other
    keyword arguments become attributes, as in Keras.
    """

    def __init__(self, on_epoch_begin: Callable[..., Any] | None = None,
                 on_epoch_end: Callable[..., Any] | None = None,
                 on_train_begin: Callable[..., Any] | None = None,
                 on_train_end: Callable[..., Any] | None = None,
                 on_train_batch_begin: Callable[..., Any] | None = None,
                 on_train_batch_end: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite (or raises, ``raise_error``)."""

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. "
                               f"Loss value: {loss}. Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


class LearningRateScheduler(Callback):
    """Sets the optimizer's rate at each epoch's start to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)``, Keras's older form), and logs it as ``learning_rate``."""

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        opt = self.model.optimizer
        try:
            lr = self.schedule(epoch, float(opt.learning_rate))
        except TypeError:  # the one-argument form
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise ValueError(f"The output of the `schedule` function should be a float. "
                             f"Got: {lr!r}")
        opt.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
