"""Write the screenshots of time travel, forks, comparisons, races and ``nntui run``.

    python -m tests.app.make_travel_screenshots [timeline fork compare race run]

Everything is trained for real (``mlp-spiral`` for 20 epochs with a snapshot every half
epoch, into a temporary runs folder; the comparison's second run by ``nntui train``, the
race and the script in the app) and photographed by
the app itself (``save_screenshot``) into ``screenshots/``.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nntui.app.app import NntuiApp
from nntui.app.screens.compare_screen import CompareScreen
from nntui.app.screens.launcher_screen import LauncherScreen
from nntui.app.screens.replay_screen import ReplayScreen

OUT = Path("screenshots").resolve()
SIZE = (120, 40)
RUNS = Path(tempfile.mkdtemp(prefix="nntui-travel-shots-"))


def train(*args: str) -> Path:
    """``nntui train ARGS`` into RUNS; the new run folder."""
    before = set(RUNS.iterdir())
    subprocess.run([sys.executable, "-m", "nntui", "train", *args, "--quiet", "--log-dir",
                    str(RUNS)], check=True, stderr=subprocess.DEVNULL)
    [new] = set(RUNS.iterdir()) - before
    return new


def train_watched(preset: str, epochs: int, every: int) -> Path:
    """``preset`` trained as the app trains it, a snapshot every ``every`` steps (``nntui
    train`` keeps one a second: a run of a second would have two to travel between)."""
    from nntui.architectures import build_session
    from nntui.presets import load_preset
    from nntui.runlog import RunLogger
    from nntui.runlog.run_checkpoint import CheckpointWriter

    spec = load_preset(preset).with_train(epochs=epochs)
    trainer = build_session(spec).trainer(snapshot_every=every, on_divergence="raise")
    with RunLogger.create(RUNS, spec.name, tensorboard=False) as logger:
        trainer.subscribe(logger.handle)
        trainer.subscribe(CheckpointWriter(logger, trainer))
        trainer.run()
    return logger.run_dir


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the screen never got there")
        await pilot.pause(0.1)


async def timeline(parent: Path) -> None:
    app = NntuiApp(replay_dir=parent, tensorboard=False, runs_dir=RUNS)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await until(pilot, lambda: screen.history.state == "finished")
        await pilot.press("t", *["left"] * 30)  # 30 kept snapshots back: epoch 5
        await pilot.pause(1.5)
        app.save_screenshot("timeline.svg", str(OUT))


async def fork(parent: Path) -> None:
    app = NntuiApp(tensorboard=False, runs_dir=RUNS)
    async with app.run_test(size=SIZE) as pilot:
        from nntui.runlog.fork import kept_checkpoints

        step = kept_checkpoints(parent)[1].step
        screen = app.start_fork(f"{parent}@{step}", ["train.learning_rate=0.0003"], pace=0)
        assert screen is not None
        await until(pilot, lambda: screen.history.state == "finished")
        await pilot.pause(1.5)
        app.save_screenshot("fork.svg", str(OUT))


async def compare(parent: Path) -> None:
    other = train("mlp-spiral", "--epochs", "20", "--set", "model.activation=sigmoid")
    app = NntuiApp(compare=[str(parent), str(other)], tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await until(pilot, lambda: all(h.state == "finished" for h in screen.histories))
        await pilot.pause(1.5)
        app.save_screenshot("compare.svg", str(OUT))


async def race(parent: Path) -> None:
    from nntui.app.screens.race_screen import RaceScreen

    app = NntuiApp(preset="mlp-spiral", tensorboard=False, runs_dir=RUNS)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LauncherScreen))
        await pilot.pause(0.5)
        await pilot.press("ctrl+r", *"train.optimizer=sgd", "enter")
        await until(pilot, lambda: isinstance(app.screen, RaceScreen))
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        await until(pilot, lambda: all(h.state == "finished" for h in screen.histories))
        await pilot.pause(1.5)
        app.save_screenshot("race.svg", str(OUT))
        await pilot.press("escape")


SCRIPT = textwrap.dedent('''
    """A learner's script: a Keras-style CNN, then an MLPClassifier."""
    import numpy as np
    import nntui
    from nntui import layers
    from nntui.data import load_dataset
    from nntui.neural_network import MLPClassifier

    shapes = load_dataset("shapes", n_samples=1200, seed=0)
    model = nntui.Sequential([nntui.Input(shapes.input_shape),
                              layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
                              layers.Flatten(), layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(shapes.x_train, shapes.y_train, epochs=4, batch_size=32,
              validation_data=(shapes.x_test, shapes.y_test))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    clf = MLPClassifier(hidden_layer_sizes=(32, 32), max_iter=300, random_state=0)
    clf.fit(X, (X[:, 0] * X[:, 1] > 0).astype(int))
''')


async def run(parent: Path) -> None:
    from nntui.commands.run import ScriptProcess

    script = RUNS / "my_script.py"
    script.write_text(SCRIPT)
    process = ScriptProcess(script, [], RUNS / "script-runs")
    app = NntuiApp(script=process, tensorboard=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            hub = app.screen
            await until(pilot, lambda: process.returncode is not None and len(hub.fits) == 2)
            await pilot.pause(1.5)
            app.save_screenshot("run-mlp.svg", str(OUT))
            await pilot.press("escape")
            await pilot.pause(0.5)
            await pilot.press("down", "enter")
            await until(pilot, lambda: isinstance(app.screen, ReplayScreen)
                        and app.screen.history.state == "finished")
            await pilot.pause(1.5)
            app.save_screenshot("run-cnn.svg", str(OUT))
    finally:
        process.stop()
    if process.returncode != 0:
        raise RuntimeError(process.output())


def main(argv: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    parent = train_watched("mlp-spiral", 20, 19)  # a snapshot every half epoch
    shots = {"timeline": timeline, "fork": fork, "compare": compare, "race": race, "run": run}
    for name in argv or list(shots):
        t0 = time.perf_counter()
        asyncio.run(shots[name](parent))
        print(f"{name}  ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
