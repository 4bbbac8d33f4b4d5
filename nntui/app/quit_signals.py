"""SIGTERM and SIGHUP end the app the way ``q`` does: every run stopped after its step,
its end row and checkpoint written, its logs closed, the terminal restored.

A second signal exits at once (the terminal is still restored). The previous handlers
come back when the app ends, so a test or script running the app keeps its own.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from typing import Any

QUIT_SIGNALS = ("SIGTERM", "SIGHUP")


def install_quit_signals(app: Any) -> Callable[[], None]:
    """Route SIGTERM/SIGHUP to ``app.action_quit``; returns the function that undoes it.

    Only from the main thread, with the app's event loop running (``on_mount``); a
    SIGHUP that was ignored (``nohup``) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def quit_soon() -> None:
        app.call_later(app.action_quit if len(received) == 1 else app.exit)

    def handler(signum: int, frame: Any) -> None:
        received.append(signum)
        loop.call_soon_threadsafe(quit_soon)  # the handler itself may run mid-anything

    previous: dict[int, Any] = {}
    for name in QUIT_SIGNALS:
        num = getattr(signal, name, None)
        if num is None or (name == "SIGHUP" and signal.getsignal(num) is signal.SIG_IGN):
            continue
        previous[num] = signal.signal(num, handler)

    def restore() -> None:
        for num, old in previous.items():
            signal.signal(num, old if old is not None else signal.SIG_DFL)

    return restore
