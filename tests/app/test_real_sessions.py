"""The dashboard on real sessions: every panel shows the model's current step.

One Pilot test per architecture family drives the real app on the real session built
from the family's preset (small data, few steps), through the real snapshot throttles
(the trainer's ``SNAPSHOT_INTERVAL``, the panel data's ``MIN_INTERVAL``, the panels'
own redraw intervals): a step, an epoch, the run to its end, a reset and the new run
to its end; after each, every panel must show the step the trainer is at.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from nntui.app.app import NntuiApp
from nntui.app.catalog import PresetCatalog
from nntui.app.screens.train_screen import TrainScreen
from nntui.app.widgets.panel import Panel
from nntui.architectures import Session
from nntui.presets import load_preset
from tests.app.conftest import SIZE, asynctest

FAMILIES: dict[str, tuple[str, list[str]]] = {  # family -> preset, overrides
    "perceptron": ("perceptron-blobs", ["train.epochs=2", "dataset.n_samples=60"]),
    "logistic": ("logistic-blobs", ["train.epochs=2"]),
    "mlp": ("mlp-xor", ["train.epochs=2"]),
    "cnn": ("cnn-shapes", ["dataset.n_samples=200", "train.epochs=2"]),
    "recurrent": ("lstm-memory", ["dataset.n_samples=160", "dataset.timesteps=10",
                                  "model.hidden=[8]", "train.epochs=2"]),
    "gan": ("gan-gaussians", ["dataset.n_samples=256", "train.epochs=2"]),
    "autoencoder": ("autoencoder-shapes", ["dataset.n_samples=200", "train.epochs=2"]),
    "transformer": ("transformer-addition", ["dataset.n_samples=200", "train.epochs=2"]),
    "transfer": ("transfer-shapes", ["dataset.n_samples=200", "train.epochs=1",
                                     "model.pretrain_epochs=1",
                                     "model.pretrain_dataset.n_samples=200"]),
}


class SmallPresets(PresetCatalog):
    """The real catalog on small data. With ``start_paused`` each trainer it makes waits
    at step 0, so a test can step it from the start (the app starts it running)."""

    def __init__(self, overrides: list[str], start_paused: bool = True) -> None:
        self.overrides, self.start_paused = overrides, start_paused
        self.built: list[Session] = []

    def load_preset(self, name: str) -> Any:
        return load_preset(name, overrides=self.overrides)

    def build_session(self, spec: Any) -> Any:
        session = super().build_session(spec)
        make = session.trainer

        def trainer(*args: Any, **kwargs: Any) -> Any:
            made = make(*args, **kwargs)
            if self.start_paused:
                made.pause()
            return made

        session.trainer = trainer  # type: ignore[method-assign]
        self.built.append(session)
        return session


def painted(app: NntuiApp) -> list[str]:
    """The screen as it is painted (its SVG screenshot's text), line by line."""
    svg = app.export_screenshot()
    rows = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return [html.unescape(re.sub("<[^>]+>", "", r)).replace("\xa0", " ") for r in rows]


def drawn(panel: Panel, screen: TrainScreen) -> bool:
    """The panel's last picture is of the history's current data."""
    return panel._cache is not None and panel._cache[0] == panel.data_version(screen.history)


def problems(app: NntuiApp, screen: TrainScreen, step: int) -> list[str]:
    """What on the painted dashboard is not at ``step`` (empty: every panel is)."""
    h = screen.history
    out = []
    panels = [screen.query_one(f"#{name}", Panel) for name in ("curves", "histograms",
                                                                 "grad-norms", "arch-panel")]
    out += [f"#{p.id} not drawn from the latest data" for p in panels if not drawn(p, screen)]
    if screen.layer_table._version != h.snapshot_version:
        out.append("layer table")
    hist = screen.histogram_panel
    if hist.shown_layer(h) not in h.layer_names() and h.layer_names():
        hist.chosen = h.layer_names()[0]  # the table's first row may be a layer without weights
    loss = h.step_metrics.get("loss")
    if loss is None or loss.x[-1] != step:
        out.append("curves data")
    text = painted(app)
    wanted = [f"step {step}/", f"weights · step {step}", f" step {step} "]  # status, hist, arch
    rule = getattr(h, "update_rule", None)
    if rule:
        wanted.append(f"trained by {rule}: no gradients")
    else:
        shown = hist.shown_layer(h)
        frozen = shown is not None and getattr(h.layers[shown], "frozen", False)
        wanted.append("no gradients: a frozen layer" if frozen else f"grads · step {step}")
        ends = [int(m.group(1)) for line in text
                if (m := re.fullmatch(r"step \d+\s+(\d+)\s*", line.strip()))]
        if not ends or any(e != step for e in ends):  # the gradient-norm strips' last step
            out.append(f"gradient norm strips end at {ends}")
    out += [f"not painted: {w!r}" for w in wanted if not any(w in line for line in text)]
    if not h.extras.get("fresh"):
        out.append("the architecture panel's data is not fresh")
    return out


async def at_step(pilot: Pilot[None], screen: TrainScreen, step: int,
                  timeout: float = 15.0) -> None:
    """Let the app run (frames drawn on its own timer) until every panel shows ``step``."""
    end = time.monotonic() + timeout
    while True:
        await pilot.pause(0.05)
        trainer = screen.trainer
        if trainer is not None and trainer.step == step and trainer._idle.is_set():
            found = problems(pilot.app, screen, step)
            if not found:
                return
        else:
            found = [f"trainer at {getattr(trainer, 'step', None)}"]
        if time.monotonic() > end:
            raise AssertionError(f"not every panel at step {step}: {found}")


def train(app: NntuiApp, preset: str) -> None:
    """Start ``preset`` at full speed, as the launcher's Enter does with pace "full" (at
    full speed snapshots are throttled hardest: the case where panels went stale)."""
    app.start_training(app.catalog.load_preset(preset), pace=0.0)


async def started(pilot: Pilot[None], app: NntuiApp) -> TrainScreen:
    end = time.monotonic() + 15
    while not (isinstance(app.screen, TrainScreen) and app.screen.trainer is not None
               and app.screen.trainer._idle.is_set()):
        assert time.monotonic() < end, "the run did not start"
        await pilot.pause(0.05)
    return app.screen


@pytest.mark.parametrize("family", sorted(FAMILIES))
@asynctest
async def test_every_panel_shows_the_current_step_after_step_epoch_end_and_reset(
        family: str, tmp_path: Path) -> None:
    preset, overrides = FAMILIES[family]
    catalog = SmallPresets(overrides)
    app = NntuiApp(catalog=catalog, runs_dir=tmp_path, tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        train(app, preset)
        screen = await started(pilot, app)
        trainer = screen.trainer
        assert catalog.built[-1].architecture.name in (family, "lstm")
        await pilot.press("n")
        await at_step(pilot, screen, 1)
        await pilot.press("e")
        await at_step(pilot, screen, trainer.steps_per_epoch)
        await pilot.press("space")
        total = trainer.epochs * trainer.steps_per_epoch
        await at_step(pilot, screen, total)
        assert screen.history.state == "finished"
        await pilot.press("r")
        await pilot.pause(0.1)
        screen = await started(pilot, app)
        assert screen.trainer is not trainer and screen.history.step == 0
        await pilot.press("space")
        await at_step(pilot, screen, total)
        assert screen.history.state == "finished" and len(catalog.built) == 2
        await pilot.press("q")


@asynctest
async def test_pausing_a_running_session_shows_the_step_it_paused_at(tmp_path: Path) -> None:
    catalog = SmallPresets(["dataset.n_samples=200", "train.epochs=100000"],
                           start_paused=False)
    app = NntuiApp(catalog=catalog, runs_dir=tmp_path, tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        train(app, "cnn-shapes")
        end = time.monotonic() + 15
        while not (isinstance(app.screen, TrainScreen) and app.screen.trainer is not None
                   and app.screen.trainer.step > 30):
            assert time.monotonic() < end
            await pilot.pause(0.05)
        screen = app.screen
        await pilot.press("space")
        assert screen.trainer.wait_until_paused(10)
        await at_step(pilot, screen, screen.trainer.step)
        await pilot.press("q")


@asynctest
async def test_the_perceptron_inspector_applies_the_perceptron_rule_to_training_samples(
        tmp_path: Path) -> None:
    """perceptron-xor, i, → ×3, u (issue 13): the update stage is Rosenblatt's rule with
    its numbers, u trains on training samples exactly as the rule does, and back on the
    dashboard the panels show the changed model."""
    import numpy as np

    from nntui.app.screens.inspector_screen import InspectorScreen

    catalog = SmallPresets(["train.epochs=3"])
    app = NntuiApp(catalog=catalog, runs_dir=tmp_path, tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        train(app, "perceptron-xor")
        screen = await started(pilot, app)
        await pilot.press("e")
        trainer = screen.trainer
        await at_step(pilot, screen, trainer.steps_per_epoch)
        model = trainer.model
        w, b = model.get_weights()
        await pilot.press("i")
        end = time.monotonic() + 10
        while not (isinstance(app.screen, InspectorScreen) and app.screen.state is not None):
            assert time.monotonic() < end
            await pilot.pause(0.05)
        inspector = app.screen
        await pilot.press("right", "right", "right")
        text = inspector.explanation_panel.plain
        assert "w ← w + η(y − ŷ)x" in text and "η·g" not in text and "g = 0" not in text
        await pilot.press("u")
        await pilot.pause()
        x, y = trainer.x[:4].astype(np.float64), trainer.y[:4].reshape(-1)
        lr = model.optimizer.learning_rate
        want_w, want_b = w[:, 0].astype(np.float64), float(b[0])
        for xi, yi in zip(x, y, strict=True):
            err = yi - (1.0 if xi @ want_w + want_b >= 0 else 0.0)
            want_w, want_b = want_w + lr * err * xi, want_b + lr * err
        np.testing.assert_allclose(model.get_weights()[0][:, 0], want_w, rtol=1e-6)
        np.testing.assert_allclose(model.get_weights()[1], [want_b], rtol=1e-6)
        ex = inspector.state.explain()
        assert ex.agrees and ex.value == pytest.approx(want_w[0], rel=1e-6)
        assert "training samples" in str(inspector.query_one("#inspector-stages").render())
        version = screen.history.snapshot_version
        await pilot.press("escape")
        end = time.monotonic() + 10
        while screen.history.snapshot_version == version:
            assert time.monotonic() < end, "no fresh snapshot after the inspector's step"
            await pilot.pause(0.05)
        grid = screen.history.extras["grid"]  # the regions of the model as u left it
        gh, gw, _ = grid.shape
        xmin, xmax, ymin, ymax = screen.history.extras["extent"]
        cx = xmin + (np.arange(gw) + 0.5) * (xmax - xmin) / gw
        cy = ymin + (np.arange(gh) + 0.5) * (ymax - ymin) / gh
        z = cx[None, :] * want_w[0] + cy[:, None] * want_w[1] + want_b  # (GH, GW)
        np.testing.assert_array_equal(grid[..., 1], (z >= 0).astype(np.float32))
        await pilot.press("q")


@asynctest
async def test_the_gan_inspector_walks_g_through_d_and_u_is_the_gans_own_step(
        tmp_path: Path) -> None:
    """gan-gaussians, i: the stages run z → G → D and back into G; u takes the GAN's
    training step on four training samples, the very step training takes."""
    import copy

    import numpy as np

    from nntui.app.screens.inspector_screen import InspectorScreen

    app = NntuiApp(catalog=SmallPresets(
        ["dataset.n_samples=256", "train.epochs=2"]), runs_dir=tmp_path, tensorboard=False)
    async with app.run_test(size=SIZE) as pilot:
        train(app, "gan-gaussians")
        screen = await started(pilot, app)
        await pilot.press("n")
        await at_step(pilot, screen, 1)
        gan = screen.trainer.model
        await pilot.press("i")
        end = time.monotonic() + 10
        while not (isinstance(app.screen, InspectorScreen) and app.screen.state is not None):
            assert time.monotonic() < end
            await pilot.pause(0.05)
        inspector = app.screen
        names = [ly.name for ly in gan.g.layers + gan.d.layers]
        assert inspector.state.names == names
        assert "G's step for 4 latent vectors z" in str(
            inspector.query_one("#inspector-stages").render())
        inspector.state.go_to("update")
        twin = copy.deepcopy(gan)
        await pilot.press("u")
        await pilot.pause()
        twin.train_step(twin.ops.asarray(screen.trainer.x[:4]))
        for got, want in zip(gan.get_weights(), twin.get_weights(), strict=True):
            np.testing.assert_array_equal(got, want)
        ex = inspector.state.explain()
        assert ex.agrees and "discriminator" in ex.title
        await pilot.press("escape")
        await pilot.press("q")
