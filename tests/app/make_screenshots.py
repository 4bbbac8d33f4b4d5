"""Write screenshots/launcher.svg and screenshots/dashboard.svg from the real app.

The dashboard one trains the real ``mlp-spiral`` preset to its end (about 30 s at its
watch pace, into a temporary runs folder) and takes the picture.
Run from the repository root: ``python -m tests.app.make_screenshots``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from nntui.app.app import NntuiApp
from nntui.app.screens.train_screen import TrainScreen

OUT = Path("screenshots")
SIZE = (120, 40)
PRESET = "mlp-spiral"


async def launcher(out: Path) -> None:
    app = NntuiApp(tensorboard=False, runs_dir=tempfile.mkdtemp())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        app.save_screenshot("launcher.svg", str(out))


async def dashboard(out: Path) -> None:
    app = NntuiApp(preset=PRESET, tensorboard=False, runs_dir=tempfile.mkdtemp())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        await pilot.press("enter")  # --preset opens the launcher on it; Enter trains
        end = time.monotonic() + 240
        while time.monotonic() < end:
            screen = app.screen
            if isinstance(screen, TrainScreen) and screen.history.state == "finished":
                break  # the whole preset, played at its watch pace
            await pilot.pause(0.1)
        await pilot.pause(1.5)  # every panel's next frame
        app.save_screenshot("dashboard.svg", str(out))
        await pilot.press("q")


def main(argv: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    which = argv or ["launcher", "dashboard"]
    for name in which:
        t0 = time.perf_counter()
        asyncio.run({"launcher": launcher, "dashboard": dashboard}[name](OUT))
        print(f"{OUT / (name + '.svg')}  ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
