"""Ctrl+C, SIGTERM and SIGHUP during headless training: stop after the current step."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class StopSignals:
    """What the handlers have seen; ``shielded`` holds a second signal back.

    While the logs are being closed (``shielded = True``) a second Ctrl+C is only
    counted: cutting the close short would lose the rows it is writing.
    """

    def __init__(self, stop: Callable[[], None]) -> None:
        self.stop = stop
        self.count = 0
        self.shielded = False

    def __call__(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count == 1:
            self.stop()
        elif not self.shielded:
            raise KeyboardInterrupt


@contextlib.contextmanager
def install_stop_handlers(stop: Callable[[], None]) -> Iterator[StopSignals]:
    """Ctrl+C, SIGTERM and SIGHUP ask the trainer to stop after the current step.

    A second signal stops at once (KeyboardInterrupt: the caller still closes the logs),
    unless the caller has set ``shielded``. SIGHUP is left alone when it was ignored
    (``nohup``). The previous handlers are restored on exit, so a script or test calling
    :func:`main` gets its own Ctrl+C back. Off the main thread (where Python cannot
    install handlers) nothing is installed.
    """
    signals = StopSignals(stop)
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return
    previous: dict[str, Any] = {}
    for name in STOP_SIGNALS:
        num = getattr(signal, name, None)
        if num is None or (name == "SIGHUP" and signal.getsignal(num) is signal.SIG_IGN):
            continue
        previous[name] = signal.signal(num, signals)
    try:
        yield signals
    finally:
        for name, old in previous.items():
            signal.signal(getattr(signal, name), old if old is not None else signal.SIG_DFL)
