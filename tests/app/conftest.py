"""Shared helpers of the app tests: a fixed terminal size, a wait-until, app factories."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from nntui.app.app import NntuiApp
from tests.app.fakes import FakeCatalog

SIZE = (120, 40)


def asynctest(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an ``async def`` test with ``asyncio.run`` (no asyncio plugin is installed)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return run


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool],
                     timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., NntuiApp]:
    """``make_app(epochs=...)``: an app on the fake catalog writing runs under tmp_path."""

    def make(epochs: int | None = 100_000, **kwargs: object) -> NntuiApp:
        return NntuiApp(catalog=FakeCatalog(epochs), runs_dir=tmp_path / "runs",
                        tensorboard=False, **kwargs)  # type: ignore[arg-type]

    return make
