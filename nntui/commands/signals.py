"""Ctrl+C and SIGTERM during headless training: stop after the current step."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def install_stop_handlers(stop: Any) -> Iterator[None]:
    """Ctrl+C and SIGTERM ask the trainer to stop after the current step.

    A second signal stops at once (KeyboardInterrupt: the logs are still closed).
    The previous handlers are restored on exit, so a script or test calling
    :func:`main` gets its own Ctrl+C back. Off the main thread (where Python
    cannot install handlers) nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(signum)
        stop()

    names = ["SIGINT"] + (["SIGTERM"] if hasattr(signal, "SIGTERM") else [])
    previous = {n: signal.signal(getattr(signal, n), handler) for n in names}
    try:
        yield
    finally:
        for n, old in previous.items():
            signal.signal(getattr(signal, n), old if old is not None else signal.SIG_DFL)
