"""Pure tests of nntui.inspect: every number the inspector writes out adds up to the
engine's traced value (chain-rule terms, conv patches, pooling winners, losses, updates)."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.layers import get_layer_class as L
from nntui.engine.model import Input, Sequential
from nntui.engine.regularizers import L2
from nntui.engine.trace import traced_step
from nntui.inspect import InspectorState, Selection, build_stages, layer_config
from nntui.inspect.attention import attention_forward
from nntui.inspect.conv import conv_backward, conv_forward, conv_patch
from nntui.inspect.dense import dense_backward, dense_weight_terms
from nntui.inspect.explanation import f as shown_as
from nntui.inspect.loss_update import per_sample_loss
from nntui.inspect.pooling import pool_forward, pool_window
from nntui.inspect.recurrent import recurrent_backward, recurrent_forward

RNG = np.random.default_rng(7)


def compiled(layers: list, optimizer: object = "adam", loss: str = "mse") -> Sequential:
    model = Sequential(layers, seed=3)
    model.compile(optimizer=optimizer, loss=loss)
    model.build()
    return model


def state_for(model: Sequential, x: np.ndarray, y: np.ndarray) -> InspectorState:
    trace = traced_step(model, x, y)
    opt = model.optimizer
    assert opt is not None
    return InspectorState(trace, [layer_config(ly) for ly in model.layers],
                          opt.get_config(), opt.iterations)


def close(a: float | None, b: float | np.floating | None, rtol: float = 1e-5,
          atol: float = 1e-7) -> None:
    """``a`` and ``b`` are numbers and agree (an explanation's total against the trace)."""
    assert a is not None and b is not None
    np.testing.assert_allclose(a, float(b), rtol=rtol, atol=atol)


def test_stages_run_forward_loss_backward_update() -> None:
    names = [(s.phase, s.layer) for s in build_stages(2)]
    assert names == [("forward", 0), ("forward", 1), ("loss", None), ("backward", 1),
                     ("backward", 0), ("update", None)]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", "elu"])
def test_dense_chain_rule_terms_sum_to_the_traced_gradient(activation: str) -> None:
    model = compiled([Input((3,)), L("Dense")(4, activation=activation), L("Dense")(2)])
    x, y = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    trace = traced_step(model, x, y)
    lt = trace.layers[0]
    cfg = layer_config(model.layers[0])
    for i in range(3):
        for j in range(4):
            ex = dense_backward(lt, Selection(row=i, col=j), cfg)
            assert [t.label for t in ex.terms] == [f"n={n}" for n in range(5)]
            close(ex.total, lt.grads["kernel"][i, j], rtol=1e-5, atol=1e-7)
            assert ex.agrees
            # each term is the course's dL/da · g'(z) · x, and the product uses dL/dz
            for n, term in enumerate(ex.terms):
                da, gprime, xv = term.factors
                np.testing.assert_allclose(da * gprime * xv, term.value, rtol=1e-4, atol=1e-7)
                np.testing.assert_allclose(xv, x[n, i], rtol=1e-6)


def test_fused_softmax_head_uses_y_hat_minus_y() -> None:
    model = compiled([Input((3,)), L("Dense")(3, activation="softmax")],
                     loss="sparse_categorical_crossentropy")
    x, y = RNG.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    trace = traced_step(model, x, y)
    assert trace.fused
    lt = trace.layers[0]
    ex = dense_backward(lt, Selection(row=1, col=2), layer_config(model.layers[0]), fused=True)
    terms = dense_weight_terms(lt, 1, 2)
    np.testing.assert_allclose(sum(t.value for t in terms), lt.grads["kernel"][1, 2], rtol=1e-5)
    assert any("(ŷ − y)/N" in line for line in ex.lines)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(lt.internals["grad_z"], (trace.prediction - onehot) / 4, atol=1e-7)


@pytest.mark.parametrize(("padding", "strides"), [("valid", 1), ("same", 2), ("same", 1)])
def test_conv_patch_product_sum_equals_z(padding: str, strides: int) -> None:
    model = compiled([Input((7, 6, 2)), L("Conv2D")(3, 3, strides=strides, padding=padding,
                                                     activation="relu")])
    x = RNG.standard_normal((2, 7, 6, 2))
    trace = traced_step(model, x, RNG.standard_normal((2, *model.sample_output_shape)))
    lt, cfg = trace.layers[0], layer_config(model.layers[0])
    z = lt.internals["z"]
    for n in range(2):
        for f in range(3):
            for i in range(z.shape[1]):
                for j in range(z.shape[2]):
                    ex = conv_forward(lt, Selection(row=i, col=j, sample=n, channel=f), cfg)
                    close(ex.total, z[n, i, j, f], rtol=1e-5, atol=1e-6)
                    assert len(ex.terms) == 3 * 3 * 2
    patch, corner = conv_patch(x, (3, 3), (strides, strides), padding, 1, 0, 0)
    assert patch.shape == (3, 3, 2)
    # TF's 'same' split: 7 rows, stride 2 pad 2 (1 on top); 6 cols pad 1 (0 on the left)
    assert corner == {("valid", 1): (0, 0), ("same", 1): (-1, -1), ("same", 2): (-1, 0)}[
        (padding, strides)]


def test_conv_weight_gradient_terms_sum_to_the_traced_gradient() -> None:
    model = compiled([Input((6, 6, 2)), L("Conv2D")(2, 3, padding="same", strides=2),
                      L("Flatten")(), L("Dense")(1)])
    x, y = RNG.standard_normal((3, 6, 6, 2)), RNG.standard_normal((3, 1))
    trace = traced_step(model, x, y)
    lt, cfg = trace.layers[0], layer_config(model.layers[0])
    for r in range(3 * 3 * 2):
        for f in range(2):
            ex = conv_backward(lt, Selection(row=r, col=f), cfg)
            assert len(ex.terms) == 3 * 3 * 3  # N · OH · OW
            close(ex.total, ex.value, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_winner_is_the_max_of_its_window(padding: str) -> None:
    model = compiled([Input((5, 5, 2)), L("MaxPooling2D")(2, padding=padding)])
    x = RNG.standard_normal((2, 5, 5, 2))
    trace = traced_step(model, x, RNG.standard_normal((2, *model.sample_output_shape)))
    lt, cfg = trace.layers[0], layer_config(model.layers[0])
    out = lt.output
    for n in range(2):
        for c in range(2):
            for i in range(out.shape[1]):
                for j in range(out.shape[2]):
                    ex = pool_forward(lt, Selection(row=i, col=j, sample=n, channel=c), cfg)
                    win, _ = pool_window(lt, cfg, n, i, j, c)
                    hl = ex.tensors[0].highlight
                    assert hl is not None
                    r, col = hl
                    assert lt.input[n, r, col, c] == np.nanmax(win) == out[n, i, j, c]
                    assert ex.agrees


def test_average_pooling_is_the_window_mean() -> None:
    model = compiled([Input((4, 4, 1)), L("AveragePooling2D")(2)])
    x = RNG.standard_normal((1, 4, 4, 1))
    trace = traced_step(model, x, RNG.standard_normal((1, 2, 2, 1)))
    ex = pool_forward(trace.layers[0], Selection(row=1, col=0), layer_config(model.layers[0]))
    close(ex.total, x[0, 2:4, 0:2, 0].mean(), rtol=1e-6)
    assert ex.agrees


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent_step_recomputes_the_traced_hidden_state(kind: str) -> None:
    model = compiled([Input((4, 2)), L(kind)(3, return_sequences=True)])
    x = RNG.standard_normal((2, 4, 2))
    trace = traced_step(model, x, RNG.standard_normal((2, 4, 3)))
    lt, cfg = trace.layers[0], layer_config(model.layers[0])
    for n in range(2):
        for t in range(4):
            for k in range(3):
                ex = recurrent_forward(lt, Selection(row=t, col=k, sample=n), cfg)
                close(ex.total, lt.internals["hidden"][n, t, k], atol=1e-6)
                assert ex.value == pytest.approx(float(lt.output[n, t, k]))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_weight_gradients_written_out_sum_to_the_traced_ones(
        kind: str, return_sequences: bool) -> None:
    """dL/dW, dL/dU and dL/db as sums over every step and sample equal the gradients the
    layer's backward produced, for every element (GRU's two bias rows included)."""
    model = compiled([Input((4, 2)), L(kind)(3, return_sequences=return_sequences)])
    x = RNG.standard_normal((2, 4, 2))
    trace = traced_step(model, x, RNG.standard_normal((2, *model.sample_output_shape)))
    lt, cfg = trace.layers[0], layer_config(model.layers[0])
    names = list(lt.grads)
    assert names == ["kernel", "recurrent_kernel", "bias"]
    for pi, name in enumerate(names):
        grad = lt.grads[name].reshape(-1, lt.grads[name].shape[-1])
        for r in range(grad.shape[0]):
            for c in range(grad.shape[1]):
                ex = recurrent_backward(lt, Selection(row=r, col=c, param=pi), cfg)
                steps = 3 if name == "recurrent_kernel" else 4  # h_0 = 0 adds no term
                assert len(ex.terms) == steps * 2
                close(ex.total, grad[r, c], rtol=1e-5, atol=1e-7)
                assert ex.agrees and ex.value == pytest.approx(float(grad[r, c]))
                if name == "kernel":  # the factors are the input and the step's dL/dz
                    t, n = 1, 0
                    term = ex.terms[t * 2 + n]
                    assert term.factors[0] == pytest.approx(x[n, t, r])


def test_attention_softmax_and_weighted_sum_match_the_trace() -> None:
    model = compiled([Input((4, 3)), L("MultiHeadSelfAttention")(num_heads=2, key_dim=2,
                                                                 causal=True)])
    x = RNG.standard_normal((2, 4, 3))
    trace = traced_step(model, x, RNG.standard_normal((2, 4, 3)))
    lt, cfg = trace.layers[0], layer_config(model.layers[0])
    for h in range(2):
        for t in range(4):
            ex = attention_forward(lt, Selection(row=t, col=0, sample=1, channel=h), cfg)
            close(ex.total, lt.internals["context"][1, t, h, 0], atol=1e-6)
            a_row = [term.factors[0] for term in ex.terms]
            np.testing.assert_allclose(sum(a_row), 1.0, atol=1e-6)
            assert all(a == 0 for a in a_row[t + 1:])  # causal: no attention to later keys


@pytest.mark.parametrize(("loss", "y"), [
    ("mse", RNG.standard_normal((4, 2))),
    ("binary_crossentropy", np.array([[0, 1], [1, 1], [0, 0], [1, 0]], float)),
    ("sparse_categorical_crossentropy", np.array([0, 1, 1, 0])),
])
def test_per_sample_losses_average_to_the_traced_loss(loss: str, y: np.ndarray) -> None:
    act = {"mse": None, "binary_crossentropy": "sigmoid"}.get(loss, "softmax")
    model = compiled([Input((3,)), L("Dense")(2, activation=act)], loss=loss)
    trace = traced_step(model, RNG.standard_normal((4, 3)), y)
    np.testing.assert_allclose(per_sample_loss(trace).mean(), trace.loss, rtol=1e-5)
    state = state_for(model, trace.x, y)
    state.go_to("loss")
    assert state.explain().agrees


@pytest.mark.parametrize("optimizer", [
    "adam", "rmsprop", {"name": "sgd", "learning_rate": 0.1},
    {"name": "sgd", "learning_rate": 0.1, "momentum": 0.9},
])
def test_update_written_out_equals_the_new_weight(optimizer: object) -> None:
    model = compiled([Input((3,)), L("Dense")(2, activation="tanh")], optimizer=optimizer)
    x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2))
    state = state_for(model, x, y)
    state.go_to("update")
    before = state.explain()
    assert before.value is None and any("press u" in line for line in before.lines)
    for _ in range(2):  # Adam's bias correction uses t: check two steps
        trace = traced_step(model, x, y, apply_update=True)
        state.set_trace(trace, model.optimizer.iterations)  # type: ignore[union-attr]
        for r in range(3):
            for c in range(2):
                state.selection = Selection(row=r, col=c)
                ex = state.explain()
                assert ex.total is not None
                close(ex.total, ex.value, rtol=1e-5, atol=1e-7)


def test_navigation_wraps_and_keeps_to_the_phase() -> None:
    model = compiled([Input((3,)), L("Dense")(4), L("Dense")(2)])
    state = state_for(model, RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2)))
    state.go(-1)
    assert state.index == 0
    state.change_layer(1)
    assert (state.stage.phase, state.stage.layer) == ("forward", 1)
    state.go_to("backward", 1)
    state.change_layer(1)
    assert (state.stage.phase, state.stage.layer) == ("backward", 0)
    state.move(-1, -1)  # wraps to the last element of the kernel (3, 4)
    assert state.explain().cursor == (2, 3)
    state.go(100)
    assert state.stage.phase == "update"


def keras_update(name: str, w: np.ndarray, g: np.ndarray, slots: dict[str, np.ndarray],
                 t: int, lr: float) -> np.ndarray:
    """One step of Keras 3's optimizers in float64 (their documented formulas), written
    here from scratch: the oracle the inspector's update stage is held to."""
    if name == "sgd":
        return w - lr * g
    if name == "momentum":
        slots["m"] = 0.9 * slots.get("m", 0.0) - lr * g
        return w + slots["m"]
    if name == "rmsprop":
        slots["v"] = 0.9 * slots.get("v", 0.0) + 0.1 * g * g
        return w - lr * g / np.sqrt(slots["v"] + 1e-7)
    slots["m"] = 0.9 * slots.get("m", 0.0) + 0.1 * g
    slots["v"] = 0.999 * slots.get("v", 0.0) + 0.001 * g * g
    alpha = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    return w - alpha * slots["m"] / (np.sqrt(slots["v"]) + 1e-7)


OPTIMIZERS = {  # name -> (config, the formula the stage must show)
    "sgd": ({"name": "sgd", "learning_rate": 0.1}, "w ← w − η·g"),
    "momentum": ({"name": "sgd", "learning_rate": 0.1, "momentum": 0.9},
                 "m ← μ·m − η·g;  w ← w + m"),
    "rmsprop": ({"name": "rmsprop", "learning_rate": 0.01},
                "v ← ρ·v + (1−ρ)·g²;  w ← w − η·g/√(v + ε)"),
    "adam": ({"name": "adam", "learning_rate": 0.01},
             "w ← w − α·m/(√v + ε), α = η·√(1−β2^t)/(1−β1^t)"),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_update_stage_shows_the_rule_and_numbers_that_changed_the_weights(name: str) -> None:
    """Apply the step twice (Adam's t matters) and compare: the model's new kernel equals
    the Keras formula computed here from the traced gradient, and the stage shows that
    formula, the new value and the written-out value, equal."""
    config, formula = OPTIMIZERS[name]
    model = compiled([Input((3,)), L("Dense")(2, activation="tanh")], optimizer=dict(config))
    x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2))
    state = state_for(model, x, y)
    state.go_to("update")
    slots: dict[str, np.ndarray] = {}
    for t in (1, 2):
        w = model.get_weights()[0].astype(np.float64)
        trace = traced_step(model, x, y, apply_update=True)
        g = trace.layers[0].grads["kernel"].astype(np.float64)
        want = keras_update(name, w, g, slots, t, config["learning_rate"])
        np.testing.assert_allclose(model.get_weights()[0], want, rtol=1e-5, atol=1e-7)
        state.set_trace(trace, model.optimizer.iterations)  # type: ignore[union-attr]
        state.selection = Selection(row=2, col=1)
        ex = state.explain()
        assert formula in ex.formula and ex.value is not None and ex.total is not None
        close(ex.value, want[2, 1], rtol=1e-5)
        close(ex.total, want[2, 1], rtol=1e-5)
        assert any(shown_as(ex.value) in line for line in ex.lines)


def test_update_stage_uses_the_gradient_the_optimizer_got_with_l2_and_clipping() -> None:
    """With L2 and clipnorm the optimizer does not get dL/dW: the stage writes out the
    gradient it did get (dL/dW + 2·λ·W, clipped to the norm), which gives the new W."""
    model = compiled([Input((3,)), L("Dense")(2, kernel_regularizer=L2(0.5))],
                     optimizer={"name": "sgd", "learning_rate": 0.1, "clipnorm": 0.05})
    x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2))
    state = state_for(model, x, y)
    w = model.get_weights()[0].astype(np.float64)
    trace = traced_step(model, x, y, apply_update=True)
    g = trace.layers[0].grads["kernel"].astype(np.float64) + 2 * 0.5 * w
    g *= 0.05 / max(np.linalg.norm(g), 0.05)
    np.testing.assert_allclose(model.get_weights()[0], w - 0.1 * g, rtol=1e-5, atol=1e-7)
    state.set_trace(trace, 1)
    state.go_to("update")
    state.selection = Selection(row=1, col=0)
    ex = state.explain()
    close(ex.total, w[1, 0] - 0.1 * g[1, 0], rtol=1e-5)
    assert ex.agrees and any("the gradient the update used" in line for line in ex.lines)


def rosenblatt(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float
               ) -> tuple[np.ndarray, float]:
    """The perceptron rule as the course writes it, sample by sample."""
    w = w.astype(np.float64).copy()
    for xi, yi in zip(x, y, strict=True):
        err = yi - (1.0 if xi @ w + b >= 0 else 0.0)
        w, b = w + lr * err * xi, b + lr * err
    return w, b


def test_the_perceptron_inspector_shows_the_perceptron_rule_not_a_gradient() -> None:
    from nntui.engine.perceptron import Perceptron

    model = Perceptron(2, 0.5, seed=0)
    model.set_weights([np.array([[1.0], [-1.0]], np.float32), np.array([0.25], np.float32)])
    x = np.array([[1.0, 2.0], [2.0, 0.5], [-1.0, -2.0], [0.5, 0.5]], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0], np.float32)
    trace = traced_step(model, x, y)
    state = InspectorState(trace, [layer_config(ly) for ly in model.layers],
                           model.optimizer.get_config(), 0, rule="the perceptron rule")
    assert [s.phase for s in state.stages] == ["forward", "update"]  # no loss, no backward
    state.go_to("update")
    before = state.explain()
    assert "w ← w + η(y − ŷ)x" in before.formula and "η·g" not in before.formula
    assert "the perceptron rule" in before.title and before.value is None
    want_w, want_b = rosenblatt(x.astype(np.float64), y, np.array([1.0, -1.0]), 0.25, 0.5)
    close(before.total, want_w[0])  # what u would do, written out before it is done
    state.set_trace(traced_step(model, x, y, apply_update=True), 0)
    np.testing.assert_allclose(model.get_weights()[0][:, 0], want_w, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], [want_b], rtol=1e-6)
    for row in (0, 1):
        state.selection = Selection(row=row)
        ex = state.explain()
        close(ex.value, want_w[row], rtol=1e-6)
        close(ex.total, want_w[row], rtol=1e-6)
        assert len(ex.terms) == 4 and ex.agrees
    state.selection = Selection(param=1)  # the bias
    ex = state.explain()
    close(ex.value, want_b, rtol=1e-6)
    # by hand: z = −0.75 → ŷ 0, y 1: +1 (w [1.5, 0], b 0.75); z = 3.75 → 1, y 0: −1
    # (w [0.5, −0.25], b 0.25); z = 0.25 → 1, y 0: −1 (w [1, 0.75], b −0.25); z = 0.625: right
    assert [t.factors[1] for t in ex.terms] == [1.0, -1.0, -1.0, 0.0]  # y − ŷ per sample
    assert want_b == pytest.approx(-0.25) and want_w == pytest.approx([1.0, 0.75])


def test_the_gan_update_stage_is_the_gans_own_step_for_g_and_d() -> None:
    """u on a GAN runs its training step (D's, then G's) on the real samples: the result
    equals the same step taken on a copy; each parameter of G and D shows the Adam formula
    with the gradient its optimizer got, and both sides equal Keras's Adam written here."""
    import copy

    from nntui.architectures import build_session
    from nntui.inspect.gan_step import apply_gan_step, trace_generator_step
    from nntui.presets import load_preset

    gan = build_session(load_preset("gan-gaussians", overrides=["dataset.n_samples=64"])).model
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    trace = trace_generator_step(gan, 4)
    g_layers = {ly.name for ly in gan.g.layers}
    assert [lt.name for lt in trace.layers] == [ly.name for ly in gan.g.layers + gan.d.layers]
    assert all(bool(lt.grads) == (lt.name in g_layers and bool(lt.weights))
               for lt in trace.layers)  # D passes the gradient through, keeps none
    twin = copy.deepcopy(gan)
    update = apply_gan_step(gan, x)
    twin.train_step(twin.ops.asarray(x))
    for (key, new), ref in zip(update.new.items(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(new, ref, err_msg=key)
    assert set(update.grads) == set(update.new)  # every parameter of G and D was updated
    trace.update = update
    configs = [layer_config(ly) for ly in gan.g.layers + gan.d.layers]
    state = InspectorState(trace, configs, gan.g.optimizer.get_config(), 1)
    state.go_to("update")
    lr = gan.g.optimizer.learning_rate
    for i, lt in enumerate(trace.layers):
        if not lt.weights:
            continue
        state.update_layer = i
        state.selection = Selection(row=0, col=0)
        ex = state.explain()
        key = f"{lt.name}/{next(iter(lt.weights))}"
        old = update.old[key].reshape(-1, update.old[key].shape[-1])[0, 0]
        g = update.grads[key].reshape(-1, update.grads[key].shape[-1])[0, 0]
        want = keras_update("adam", np.float64(old), np.float64(g), {}, 1, lr)
        close(ex.value, want, rtol=1e-5)
        close(ex.total, want, rtol=1e-5)
        assert "α = η·√(1−β2^t)/(1−β1^t)" in ex.formula
        if lt.name not in g_layers:
            assert any("a GAN's discriminator learns in its own step" in s for s in ex.lines)
