"""Write the playground's screenshots from the real app: the layer editor (a 3-layer MLP
with an activation per layer; a CNN with a layer that cannot connect), that MLP's
neuron tiles while it learns on the spiral, surgery (a unit switched off), drawn
points, and the loss landscape (random and principal directions).

Run from the repository root: ``python -m tests.app.make_playground_screenshots``
(about a minute: the MLP trains for real, at a watch pace, into a temporary folder).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from nntui.app.app import NntuiApp
from nntui.app.screens.landscape_screen import LandscapeScreen
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.layer_editor_screen import LayerEditorScreen
from nntui.presets import load_preset, spec_from_dict

OUT = Path("screenshots")
SIZE = (120, 40)
LAYERS = [{"type": "Dense", "units": 8, "activation": "tanh"},
          {"type": "Dense", "units": 8, "activation": "relu"},
          {"type": "Dense", "units": 8, "activation": "sigmoid"},
          {"type": "Dense", "units": 3, "activation": "softmax"}]


async def _until(pilot: Any, condition: Any, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.1)


async def editors(out: Path) -> None:
    for preset, name in (("mlp-spiral", "layer-editor"), ("cnn-shapes", "layer-editor-error")):
        await _editor(out, preset, name)


async def _editor(out: Path, preset: str, name: str) -> None:
    app = NntuiApp(preset=preset, tensorboard=False, runs_dir=tempfile.mkdtemp())
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, LauncherScreen))
        await pilot.pause(0.3)
        await pilot.press("ctrl+l")
        await _until(pilot, lambda: isinstance(app.screen, LayerEditorScreen))
        editor = app.screen
        assert isinstance(editor, LayerEditorScreen)
        if preset == "mlp-spiral":
            editor.tables = [dict(t) for t in LAYERS]
        else:  # a Dense layer before the Flatten: marked, with the reason
            editor.tables.insert(2, {"type": "Dense", "units": 32, "activation": "relu"})
        editor.chosen = 2
        editor.refresh_rows()
        await editor.show_settings()
        editor.rows.focus()
        await pilot.pause(0.5)
        app.save_screenshot(f"{name}.svg", str(out))


def _spec() -> Any:
    d = load_preset("mlp-spiral").to_dict()
    d.update(name="mlp-spiral-3-layers", title="3-layer MLP on the spiral (tanh, relu, sigmoid)")
    d["model"] = {"layers": LAYERS}
    d["train"]["epochs"] = 40
    d.pop("expect", None)
    return spec_from_dict(d)


async def playground(out: Path) -> None:
    app = NntuiApp(tensorboard=False, runs_dir=tempfile.mkdtemp())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        screen = app.start_training(_spec(), pace=50)
        await _until(pilot, lambda: screen.trainer is not None and screen.trainer.step > 500)
        await pilot.press("z")
        await pilot.pause(2.0)
        app.save_screenshot("neuron-tiles.svg", str(out))
        await pilot.press("s", "down", "right", "right", "a")
        await pilot.pause(2.5)
        app.save_screenshot("surgery.svg", str(out))
        await pilot.press("escape", "d", "3")
        await pilot.pause(0.5)
        for x in range(50, 80, 2):
            await pilot.click("#arch-panel", offset=(x, 10))
        await pilot.pause(2.0)
        app.save_screenshot("drawing.svg", str(out))
        await pilot.press("d", "space")
        for mode, name in (("random", "landscape"), ("pca", "landscape-pca")):
            app.push_screen(LandscapeScreen(screen.training, mode))
            await _until(pilot, lambda: isinstance(app.screen, LandscapeScreen)
                         and app.screen.landscape is not None)
            await pilot.pause(0.5)
            app.save_screenshot(f"{name}.svg", str(out))
            await pilot.press("escape")
        await pilot.press("q")


def main(argv: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    jobs = {"editors": editors, "playground": playground}
    for name in argv or list(jobs):
        t0 = time.perf_counter()
        asyncio.run(jobs[name](OUT))
        print(f"{name}  ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
