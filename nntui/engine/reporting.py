"""How the engine talks to a person: ``fit(verbose=1)``'s progress and ``summary()``.

The engine never imports Rich or Textual. It asks this module for a progress
subscriber and a summary printer; the public package (``nntui/__init__.py``)
installs the Rich ones with :func:`set_reporters` when it is imported. Used on its
own, the engine falls back to plain text lines.

Example:
    >>> set_reporters(progress=lambda: print)  # every trainer event printed as is
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nntui.engine import events as ev

Subscriber = Callable[[ev.Event], None]
ProgressFactory = Callable[[], Subscriber]
SummaryPrinter = Callable[[Any, Callable[[str], None] | None], None]

Watcher = Callable[[Any], None]

_progress: ProgressFactory | None = None
_summary: SummaryPrinter | None = None
_watchers: list[Watcher] = []


def set_reporters(progress: ProgressFactory | None = None,
                  summary: SummaryPrinter | None = None) -> None:
    """Install the progress factory and the summary printer (None keeps the current one)."""
    global _progress, _summary
    if progress is not None:
        _progress = progress
    if summary is not None:
        _summary = summary


def add_watcher(watcher: Watcher) -> None:
    """Have ``watcher(trainer)`` called by every ``fit`` (Keras-shaped and the estimators')
    before it trains: ``nntui.Dashboard`` used as a context manager, or ``nntui run``."""
    _watchers.append(watcher)


def remove_watcher(watcher: Watcher) -> None:
    """Stop calling ``watcher`` (one that is not installed is ignored)."""
    if watcher in _watchers:
        _watchers.remove(watcher)


def attach_watchers(trainer: Any, callbacks: list[Any] | None = None) -> None:
    """Give ``trainer`` to every installed watcher and to each callback with an
    ``attach(trainer)`` method, before the trainer runs."""
    for watcher in list(_watchers):
        watcher(trainer)
    for cb in callbacks or []:
        attach = getattr(cb, "attach", None)
        if callable(attach):
            attach(trainer)


def progress_subscriber() -> Subscriber:
    """A fresh subscriber that shows ``fit``'s progress."""
    return _progress() if _progress is not None else _epoch_lines


def print_summary(model: Any, print_fn: Callable[[str], None] | None = None) -> None:
    """Print ``model``'s layers, output shapes and parameter counts."""
    if _summary is not None:
        _summary(model, print_fn)
        return
    for line in summary_lines(model):
        (print_fn or print)(line)


def summary_lines(model: Any) -> list[str]:
    """The summary as plain lines (Keras's columns)."""
    lines = [f'Model: "{model.name}"  (backend: {model.backend})']
    for layer in model.layers:
        shape = "?" if layer.output_shape is None else str((None, *layer.output_shape))
        lines.append(f"{layer.name} ({type(layer).__name__})  {shape}  "
                     f"{layer.count_params():,}{'' if layer.trainable else '  frozen'}")
    total = model.count_params()
    trainable = sum(ly.count_params() for ly in model.layers if ly.trainable)
    lines.append(f"Total params: {total:,}   Trainable: {trainable:,}   "
                 f"Non-trainable: {total - trainable:,}")
    return lines


def _epoch_lines(event: ev.Event) -> None:
    if isinstance(event, ev.EpochCompleted):
        metrics = "  ".join(f"{k}={v:.4g}" for k, v in event.metrics.items())
        print(f"epoch {event.epoch}: {metrics}")
