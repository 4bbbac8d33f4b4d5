"""Pilot tests of the step-through inspector: the numbers on screen are the engine's
traced values and gradients for the same batch, on an MLP, a CNN and an LSTM."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from textual.app import App

from nntui.app.screens.inspector_screen import InspectorScreen
from nntui.app.screens.train_screen import TrainScreen
from nntui.engine.backend import mlx_available
from nntui.engine.layers import get_layer_class as L
from nntui.engine.model import Input, Sequential
from nntui.engine.trace import StepTrace, traced_step
from nntui.inspect.explanation import f
from nntui.inspect.gradcheck import gradient_check
from nntui.viz import fmt_number
from tests.app.conftest import SIZE, asynctest, wait_until


def mlp(backend: str = "numpy") -> tuple[Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    model = Sequential([Input((3,)), L("Dense")(5, activation="tanh", name="hidden"),
                        L("Dense")(3, activation="softmax", name="output")],
                       seed=0, backend=backend)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model, rng.standard_normal((4, 3)).astype(np.float32), np.array([0, 1, 2, 1])


def cnn() -> tuple[Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    model = Sequential([Input((6, 6, 1)), L("Conv2D")(2, 3, activation="relu", name="conv"),
                        L("MaxPooling2D")(2, name="pool"), L("Flatten")(name="flatten"),
                        L("Dense")(2, activation="softmax", name="output")], seed=1)
    model.compile(optimizer={"name": "sgd", "learning_rate": 0.1, "momentum": 0.9},
                  loss="sparse_categorical_crossentropy")
    return model, rng.standard_normal((4, 6, 6, 1)).astype(np.float32), np.array([0, 1, 1, 0])


def lstm() -> tuple[Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    model = Sequential([Input((5, 2)), L("LSTM")(3, name="lstm"), L("Dense")(1, name="output")],
                       seed=2)
    model.compile(optimizer="rmsprop", loss="mse")
    x = rng.standard_normal((4, 5, 2)).astype(np.float32)
    return model, x, rng.standard_normal((4, 1)).astype(np.float32)


class InspectorApp(App[None]):
    """The inspector alone, on a given model and batch (of training samples)."""

    TITLE = "nntui"  # the window title of the screenshots

    def __init__(self, model: Any, x: np.ndarray, y: np.ndarray, source: str = "training"
                 ) -> None:
        super().__init__()
        self.args = (model, x, y)
        self.source = source

    def on_mount(self) -> None:
        self.push_screen(InspectorScreen(*self.args, source=self.source))


def expected(model: Sequential, x: np.ndarray, y: np.ndarray) -> StepTrace:
    return traced_step(model, x, y)  # no update: the model is unchanged


def screen_of(app: App[None]) -> InspectorScreen:
    assert isinstance(app.screen, InspectorScreen)
    return app.screen


def shows(screen: InspectorScreen, value: float, label: str = "") -> None:
    """The explanation's number ``value`` is on screen (as the inspector writes it)."""
    text = screen.explanation_panel.plain
    assert f(value) in text, f"{label} {f(value)} not in:\n{text}"


@asynctest
async def test_mlp_forward_loss_backward_and_update_show_the_traced_numbers() -> None:
    model, x, y = mlp()
    want = expected(model, x, y)
    weights = [w.copy() for w in model.get_weights()]
    app = InspectorApp(model, x, y)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        state = screen.state
        assert state is not None and state.stage.phase == "forward" and state.stage.layer == 0
        await pilot.press("d", "d", "s")  # z[1, 2] of the hidden layer
        ex = state.explain()
        z = want.layers[0].internals["z"]
        assert ex.cursor == (1, 2) and ex.value == pytest.approx(float(z[1, 2]))
        assert ex.total == pytest.approx(float(z[1, 2]), rel=1e-5)
        shows(screen, float(z[1, 2]), "z[1,2]")
        shows(screen, float(want.layers[0].output[1, 2]), "a[1,2]")
        assert "x·W + b" in screen.explanation_panel.plain
        w00 = float(want.layers[0].weights["kernel"][0, 0])
        assert fmt_number(w00, 3) in screen.tensor_panel.plain  # the kernel's numbers

        await pilot.press("right", "right")  # the loss
        assert state.stage.phase == "loss"
        shows(screen, want.loss, "loss")
        await pilot.press("right", "right")  # backward through the fused head, then hidden
        assert (state.stage.phase, state.stage.layer) == ("backward", 0)
        await pilot.press("s", "d")  # W[2, 3] after wrapping from (1, 2)
        ex = state.explain()
        i, j = ex.cursor
        g = float(want.layers[0].grads["kernel"][i, j])
        assert ex.value == pytest.approx(g) and ex.total == pytest.approx(g, rel=1e-5)
        assert len(ex.terms) == 4  # one per sample: Σ_n dL/da · g'(z) · x
        shows(screen, g, "dL/dW")
        assert "✓ equal" in screen.explanation_panel.plain
        await pilot.press("up")  # the output layer's backward: dL/dz = (ŷ − y)/N
        assert state.stage.layer == 1 and "(ŷ − y)/N" in screen.explanation_panel.plain

        await pilot.press("right", "right", "right")  # update, not applied yet
        assert state.stage.phase == "update"
        assert "press u" in screen.explanation_panel.plain
        for a, b in zip(weights, model.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)  # browsing changed nothing

        await pilot.press("u")
        assert screen.applied_steps == 1 and state.update is not None
        ex = state.explain()
        key = next(iter(state.update.new))
        assert ex.value is not None and ex.total == pytest.approx(ex.value, rel=1e-5)
        assert not np.array_equal(weights[-2], model.get_weights()[-2])
        np.testing.assert_array_equal(model.get_weights()[-2], state.update.new["output/kernel"])
        assert key.startswith("hidden/")
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectorScreen)


@asynctest
async def test_cnn_conv_patch_pooling_winner_and_conv_gradient() -> None:
    model, x, y = cnn()
    want = expected(model, x, y)
    app = InspectorApp(model, x, y)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        state = screen.state
        assert state is not None
        await pilot.press("d", "d", "s", "full_stop", "right_square_bracket")  # cell (1, 2)
        ex = state.explain()
        z = want.layers[0].internals["z"]
        assert ex.selectors == {"sample": (1, 4), "filter": (1, 2)} and ex.cursor == (1, 2)
        assert ex.value == pytest.approx(float(z[1, 1, 2, 1]))
        assert ex.total == pytest.approx(float(z[1, 1, 2, 1]), rel=1e-5, abs=1e-6)
        patch = np.asarray(x[1, 1:4, 2:5, 0], np.float64)
        np.testing.assert_allclose([t.factors[0] for t in ex.terms], patch.reshape(-1), rtol=1e-6)
        shows(screen, float(z[1, 1, 2, 1]), "z")

        await pilot.press("down")  # pooling forward, same cursor, sample and channel
        ex = state.explain()
        pool_in = want.layers[1].input
        hl = ex.tensors[0].highlight
        assert hl is not None and ex.value is not None
        r, c = hl
        i, j = ex.cursor
        assert pool_in[1, r, c, 1] == want.layers[1].output[1, i, j, 1] == ex.value
        assert pool_in[1, r, c, 1] == pool_in[1, 2 * i:2 * i + 2, 2 * j:2 * j + 2, 1].max()
        shows(screen, ex.value, "winner")

        await pilot.press(*["right"] * 7)  # pool, flatten, output, loss, back to conv
        assert (state.stage.phase, state.stage.layer) == ("backward", 0)
        ex = state.explain()
        i, j = ex.cursor
        u, v, ch = np.unravel_index(i, (3, 3, 1))
        g = float(want.layers[0].grads["kernel"][u, v, ch, j])
        assert ex.value == pytest.approx(g) and ex.total == pytest.approx(g, rel=1e-5, abs=1e-7)
        assert len(ex.terms) == 4 * 4 * 4  # N · OH · OW
        shows(screen, g, "dL/dW")

        await pilot.press("g")
        await wait_until(pilot, lambda: screen.gradcheck is not None)
        ref = gradient_check(model, x, y, 0)
        got = screen.gradcheck
        assert got is not None and got.passed and got.layer == "conv"
        assert [(r.param, r.index) for r in got.rows] == [(r.param, r.index) for r in ref.rows]
        np.testing.assert_allclose([r.numeric for r in got.rows], [r.numeric for r in ref.rows])
        assert "✓ backward agrees" in screen.gradcheck_panel.plain


@asynctest
async def test_lstm_gates_step_by_step_and_backward_through_time() -> None:
    model, x, y = lstm()
    want = expected(model, x, y)
    app = InspectorApp(model, x, y)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        state = screen.state
        assert state is not None
        await pilot.press("s", "s", "d", "right_square_bracket", "right_square_bracket")
        ex = state.explain()
        gates = want.layers[0].internals
        assert ex.cursor == (2, 1) and ex.selectors["sample"] == (2, 4)
        assert ex.value == pytest.approx(float(gates["hidden"][2, 2, 1]))
        assert ex.total == pytest.approx(float(gates["hidden"][2, 2, 1]), abs=1e-6)
        for key in ("gate_i", "gate_f", "gate_o", "candidate"):
            shows(screen, float(gates[key][2, 2, 1]), key)
        shows(screen, float(gates["cell"][2, 2, 1]), "cell")
        labels = [t.label for t in ex.tensors]
        assert labels[1:] == ["input gate i", "forget gate f", "candidate g", "output gate o",
                              "cell c", "hidden h"]

        state.go_to("backward", 0)
        screen.show()
        await pilot.pause()
        ex = state.explain()
        assert ex.cursor == (0, 1)  # (2, 1) wraps inside the (2, 12) kernel
        assert ex.value == pytest.approx(float(want.layers[0].grads["kernel"][0, 1]))
        assert "‖dL/dh" in screen.explanation_panel.plain
        await pilot.press("p", "s", "d")  # recurrent_kernel (3, 12): (2, 1) -> (0, 1) -> (0, 2)
        ex = state.explain()
        assert ex.cursor == (0, 2)
        assert ex.value == pytest.approx(float(want.layers[0].grads["recurrent_kernel"][0, 2]))
        await pilot.press("q")
        assert not isinstance(app.screen, InspectorScreen)


@pytest.mark.skipif(not mlx_available(), reason="MLX is not installed")
@asynctest
async def test_mlx_model_shows_its_traced_numbers() -> None:
    model, x, y = mlp("mlx")
    want = expected(model, x, y)
    app = InspectorApp(model, x, y)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.state is not None
        screen.state.go_to("backward", 0)
        screen.show()
        ex = screen.state.explain()
        assert ex.value == pytest.approx(float(want.layers[0].grads["kernel"][0, 0]))
        await pilot.press("g")
        await wait_until(pilot, lambda: screen.gradcheck is not None)
        assert screen.gradcheck is not None and screen.gradcheck.dtype == "float32"
        assert screen.gradcheck.passed


@asynctest
async def test_i_on_the_dashboard_pauses_and_inspects_training_samples(make_app: Any) -> None:
    """The inspector's batch is training data: ``u`` on it trains as training would."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen)
                         and app.screen.trainer is not None and app.screen.trainer.step > 0)
        dashboard = app.screen
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen)
                         and app.screen.state is not None)
        screen = screen_of(app)
        trainer = dashboard.trainer
        assert trainer.paused and screen.source == "training" and len(screen.x) == 4
        np.testing.assert_array_equal(screen.x, trainer.x[:4])
        np.testing.assert_array_equal(screen.y, trainer.y[:4])
        assert "batch of 4 training samples" in str(screen.query_one("#inspector-stages").render())
        step = trainer.step
        await pilot.press("right", "l", "escape")
        assert app.screen is dashboard and trainer.paused and trainer.step == step
        await pilot.press("q")


@asynctest
async def test_u_refuses_to_train_on_a_held_out_batch() -> None:
    model, x, y = mlp()
    app = InspectorApp(model, x, y, source="held-out")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        weights = [w.copy() for w in model.get_weights()]
        screen.state.go_to("update")
        await pilot.press("u")
        await pilot.pause()
        assert screen.applied_steps == 0 and screen.state.update is None
        for a, b in zip(weights, model.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        assert any("held out" in str(n.message) for n in app._notifications)
