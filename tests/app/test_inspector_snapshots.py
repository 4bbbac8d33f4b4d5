"""Snapshots of the inspector at a forward stage (a conv cell and its patch) and a
backward stage (the chain rule for one weight); also writes the screenshots:

    python -m tests.app.test_inspector_snapshots   # screenshots/inspector-*.svg

and the perceptron's update stage after ``u``: Rosenblatt's rule with its numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tests.app.conftest import SIZE
from tests.app.test_inspector import InspectorApp, cnn, mlp

FORWARD_KEYS = ["d", "d", "s", "full_stop"]  # conv: output cell (1, 2) of filter 1
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def forward_app() -> InspectorApp:
    return InspectorApp(*cnn())


def backward_app() -> InspectorApp:
    return InspectorApp(*mlp())


async def to_backward(pilot: Pilot[None]) -> None:
    """From the first forward stage to the hidden layer's backward, weight W[1, 2]."""
    await pilot.press("right", "right", "right", "right", "s", "d", "d")


async def go_to_gradcheck(pilot: Pilot[None]) -> None:
    await to_backward(pilot)
    await pilot.press("g")
    screen: Any = pilot.app.screen
    for _ in range(200):
        if screen.gradcheck is not None:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def test_inspector_forward_snapshot(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(forward_app(), press=FORWARD_KEYS, terminal_size=SIZE)


def test_inspector_backward_snapshot(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(backward_app(), run_before=go_to_gradcheck, terminal_size=SIZE)


def perceptron_app() -> InspectorApp:
    """A perceptron with a line already, on four training samples two of which it gets
    wrong: the rule's update written out after u."""
    import numpy as np

    from nntui.engine.perceptron import Perceptron

    model = Perceptron(2, 0.5, seed=0)
    model.set_weights([np.array([[1.0], [-1.0]], np.float32), np.array([0.25], np.float32)])
    x = np.array([[1.0, 2.0], [2.0, 0.5], [-1.0, -2.0], [0.5, 0.5]], np.float32)
    return InspectorApp(model, x, np.array([1.0, 0.0, 0.0, 1.0], np.float32))


def test_inspector_perceptron_rule_snapshot(snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(perceptron_app(), press=["right", "s", "u"], terminal_size=SIZE)


async def _save(app: App[None], keys: Callable[[Pilot[None]], Any], name: str) -> Path:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await keys(pilot)
        return Path(app.save_screenshot(filename=name, path=str(SCREENSHOTS)))


async def write_screenshots() -> list[Path]:
    """screenshots/inspector-forward.svg and inspector-backward.svg, from the real screen."""

    async def forward(pilot: Pilot[None]) -> None:
        await pilot.press(*FORWARD_KEYS)

    async def rule(pilot: Pilot[None]) -> None:
        await pilot.press("right", "s", "u")  # kernel[1]: the weight the batch moves

    return [await _save(forward_app(), forward, "inspector-forward.svg"),
            await _save(backward_app(), go_to_gradcheck, "inspector-backward.svg"),
            await _save(perceptron_app(), rule, "inspector-perceptron.svg")]


if __name__ == "__main__":
    for path in asyncio.run(write_screenshots()):
        print(path)

