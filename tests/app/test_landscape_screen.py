"""The loss landscape of a live run: computed in a worker from the weights between two
steps, its centre is the model's own loss there, its path starts at the initial
weights; m switches to the path's principal directions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.app.app import NntuiApp
from nntui.app.screens.landscape_screen import LandscapeScreen
from nntui.app.screens.train_screen import TrainScreen
from tests.app.conftest import SIZE, asynctest, wait_until
from tests.app.fakes import FakeCatalog


@asynctest
async def test_the_landscape_is_centred_on_the_models_loss_and_starts_at_step_0(
        tmp_path: Path) -> None:
    app = NntuiApp(catalog=FakeCatalog(100_000), runs_dir=tmp_path / "runs", tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.field("pace").control.value = "50"
        await pilot.pause()
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.trainer is not None and app.screen.trainer.step > 30)
        screen = app.screen
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.trainer.wait_until_paused(0))
        trainer = screen.trainer
        own = trainer.model.evaluate(trainer.x, trainer.y, return_dict=True)["loss"]
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, LandscapeScreen)
                         and app.screen.landscape is not None, 60)
        land = app.screen.landscape
        mid = len(land.alphas) // 2
        assert land.mode == "random" and land.step == trainer.step
        assert land.losses[mid, mid] == pytest.approx(own, rel=1e-4)
        assert np.isfinite(land.losses).all() and land.path_steps[0] == 0
        np.testing.assert_allclose(land.path[-1], [0.0, 0.0], atol=1e-9)
        await pilot.press("m")
        await wait_until(pilot, lambda: app.screen.landscape.mode == "pca", 60)
        pca = app.screen.landscape
        assert pca.explained is not None and 0.5 < sum(pca.explained) <= 1.0 + 1e-9
        assert np.abs(pca.path).max() <= pca.alphas[-1]  # the whole path is on the slice
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("q")
