"""``nntui run script.py``: a learner's script with two fits (a Keras-style CNN and an
MLPClassifier) runs under the app, and each fit is shown live on its own replay screen."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nntui.app.app import NntuiApp
from nntui.app.screens.replay_screen import ReplayScreen
from nntui.app.screens.script_screen import ScriptScreen
from nntui.commands.run import ScriptProcess
from nntui.errors import ConfigError
from nntui.runlog.config import read_config
from tests.app.conftest import SIZE, asynctest, wait_until

SCRIPT = textwrap.dedent('''
    import numpy as np
    import nntui
    from nntui import layers
    from nntui.neural_network import MLPClassifier

    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = nntui.Sequential([nntui.Input((8, 8, 1)), layers.Conv2D(2, 3, activation="relu"),
                              layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16)
    X = rng.normal(size=(80, 2))
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X, (X[:, 0] > 0).astype(int))
    print("score", clf.score(X, (X[:, 0] > 0).astype(int)))
''')


@pytest.mark.slow  # a live run (or two, or a script) under Pilot: seconds
@asynctest
async def test_every_fit_of_the_script_opens_live_and_esc_lists_them(tmp_path: Path) -> None:
    script = tmp_path / "two_fits.py"
    script.write_text(SCRIPT)
    process = ScriptProcess(script, [], tmp_path / "runs")
    app = NntuiApp(script=process, tensorboard=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            hub = app.screen
            assert isinstance(hub, ScriptScreen)
            await wait_until(pilot, lambda: len(hub.fits) == 2 and process.returncode is not None
                             and isinstance(app.screen, ReplayScreen), timeout=60)
            first, second = hub.fits
            assert read_config(first)["architecture"] == "cnn"
            assert read_config(second)["architecture"] == "mlp"
            shown = app.screen
            assert isinstance(shown, ReplayScreen) and shown.stream.logdir == second
            await wait_until(pilot, lambda: shown.history.state == "finished")
            await pilot.press("escape")
            assert app.screen is hub and "ended with exit status 0" in hub.state_text()
            await pilot.press("down", "enter")  # the first fit again
            assert isinstance(app.screen, ReplayScreen) and app.screen.stream.logdir == first
    finally:
        process.stop()
    assert process.returncode == 0 and "score" in process.output()


def test_a_missing_script_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nntui run takes a Python script. Received: "):
        ScriptProcess(tmp_path / "nope.py", [], tmp_path / "runs")
