"""Changes to a run that other threads ask for and the trainer carries out between steps.

The app's UI thread never touches a model while a step may run: it submits a
:data:`Command` (``Trainer.submit``), and the trainer's thread runs it before its next
step, while it waits paused, or at the start of the next epoch (data changes, so an
epoch never mixes two datasets). Once the run has ended nothing runs steps any more,
so a command submitted then runs at once on the caller's thread.

Each command returns the :class:`~nntui.engine.events.ModelChanged` event that says
what changed; the trainer emits it (the run log writes it with its step) and
resolves the command's :class:`~concurrent.futures.Future` with it, or with the
:class:`~nntui.errors.NntuiError` that refused it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from nntui.engine.events import ModelChanged
from nntui.errors import NntuiError

Command = Callable[[Any], "ModelChanged | None"]
"""``command(trainer) -> ModelChanged``: runs on the trainer's thread between steps
(None: it only read the model, nothing to emit)."""


@dataclass
class Pending:
    command: Command
    future: Future[ModelChanged | None] = field(default_factory=Future)
    at_epoch_start: bool = False


class CommandQueue:
    """Commands waiting for the trainer; closed when the run ends."""

    def __init__(self) -> None:
        self._items: list[Pending] = []
        self._lock = threading.Lock()
        self.closed = False

    def put(self, item: Pending) -> bool:
        """Queue ``item``; False when the queue is closed (run it now instead)."""
        with self._lock:
            if self.closed:
                return False
            self._items.append(item)
            return True

    def take(self, epoch_start: bool = False) -> list[Pending]:
        """The commands due now, oldest first: those for any step, and at an epoch's
        start also those waiting for one."""
        if not self._items:  # read without the lock: a late one is taken next time
            return []
        with self._lock:
            due = [p for p in self._items if epoch_start or not p.at_epoch_start]
            self._items = [p for p in self._items if p not in due]
        return due

    def close(self) -> list[Pending]:
        """Close the queue; returns what was still waiting."""
        with self._lock:
            self.closed = True
            left, self._items = self._items, []
        return left


def run_pending(items: list[Pending], trainer: Any,
                emit: Callable[[ModelChanged], None]) -> int:
    """Run each command, emit its event and resolve its future; returns how many changed
    the model (emitted an event)."""
    done = 0
    for item in items:
        try:
            event = item.command(trainer)
        except NntuiError as exc:
            item.future.set_exception(exc)
            continue
        if event is not None:
            emit(event)
            done += 1
        item.future.set_result(event)
    return done


def surgery(change: Any) -> Command:
    """The command that applies a :class:`~nntui.engine.surgery.Surgery` to the model."""
    return lambda trainer: change.apply(trainer.model, trainer.step, trainer.epoch)


def replace_data(x: Any, y: Any, x_val: Any = None, y_val: Any = None,
                 text: str = "") -> Command:
    """The command that trains on ``x, y`` from now on (and validates on ``x_val, y_val``
    when given); submit it with ``at_epoch_start=True``.

    Raises (from the command):
        ShapeError: the arrays do not fit the model.
    """
    def run(trainer: Any) -> ModelChanged:
        xs, ys = trainer.model.prepare(x, y)
        val = trainer.model.prepare(x_val, y_val) if x_val is not None and len(x_val) else None
        trainer.x, trainer.y = xs, ys
        trainer.steps_per_epoch = math.ceil(len(xs) / trainer.batch_size)
        if val is not None:
            trainer.x_val, trainer.y_val = val
        return ModelChanged(trainer.step, trainer.epoch, "data", value=float(len(xs)),
                            text=text or f"training data replaced: {len(xs)} samples")
    return run
