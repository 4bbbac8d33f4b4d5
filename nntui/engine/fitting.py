"""``Sequential.fit``: the Keras training call, built on the :class:`Trainer` the app
and ``nntui train`` use, so a learner's ``fit`` trains exactly as the dashboard does."""

from __future__ import annotations

from typing import Any, Protocol

from nntui.engine import threads
from nntui.engine.callbacks import Callback, TerminateOnNaN
from nntui.engine.callbacks.base import History
from nntui.engine.learner import Learner
from nntui.engine.losses import Loss
from nntui.engine.optimizers import Optimizer
from nntui.engine.reporting import attach_watchers, progress_subscriber
from nntui.engine.trainer import Trainer
from nntui.errors import ConfigError


class Fittable(Learner, Protocol):
    """What ``fit`` needs of a model beyond training (``Sequential`` has it)."""

    history: History | None
    fit_threads: threads.StepThreads | None

    def compiled(self) -> tuple[Loss, Optimizer]: ...


def fit_model(model: Fittable, x: Any, y: Any, *, batch_size: int, epochs: int,
              verbose: Any, validation_split: float,
              validation_data: tuple[Any, Any] | None, shuffle: bool,
              callbacks: list[Any] | None, initial_epoch: int, seed: int | None) -> History:
    """Train ``model`` (see :meth:`Sequential.fit` for the arguments); its History."""
    model.compiled()
    if y is None:
        raise ConfigError("fit needs the targets y (nntui trains supervised models; an "
                          "autoencoder takes fit(x, x)). Received: y=None")
    if validation_data is not None and (not isinstance(validation_data, tuple | list)
                                        or len(validation_data) != 2):
        size = len(validation_data) if isinstance(validation_data, tuple | list) else "?"
        raise ConfigError("validation_data must be a pair (x_val, y_val); sample weights "
                          f"are not supported. Received: a {type(validation_data).__name__}"
                          f" of {size}")
    hooks = [cb for cb in callbacks or [] if isinstance(cb, Callback)]
    quiet = any(isinstance(cb, TerminateOnNaN) and not cb.raise_error for cb in hooks)
    trainer = Trainer(model, x, y, batch_size=batch_size, epochs=epochs,
                      validation_split=validation_split, validation_data=validation_data,
                      shuffle=shuffle, seed=seed, initial_epoch=initial_epoch, callbacks=hooks,
                      on_divergence="stop" if quiet else "raise")
    model.history = trainer.history
    for cb in callbacks or []:
        if not isinstance(cb, Callback) and not hasattr(cb, "attach"):
            trainer.subscribe(cb.handle if hasattr(cb, "handle") else cb)
    attach_watchers(trainer, callbacks)  # nntui.Dashboard: the run folder, the panels
    if verbose not in (0, False):
        trainer.subscribe(progress_subscriber())
    if model.fit_threads is None:  # kept across fit calls: its choice stays valid
        model.fit_threads = threads.step_threads()
    trainer.blas_threads = model.fit_threads
    with threads.training_threads(headless=True):  # BLAS threads measured (threads.py)
        trainer.run()
    return trainer.history
