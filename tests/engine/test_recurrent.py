"""SimpleRNN, LSTM and GRU: gradients against finite differences, numbers against Keras,
weight shapes and defaults, traces for the dashboard, and the errors a learner meets."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import nntui
from nntui.engine.layers import GRU, LSTM, SimpleRNN, get_layer_class
from nntui.engine.layers.recurrent import Recurrent
from nntui.engine.trace import traced_step
from nntui.errors import ConfigError, ShapeError
from tests.engine.gradcheck import assert_layer_gradients, build_layer

CLASSES = [SimpleRNN, LSTM, GRU]
BLOCKS = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("keras was imported with another backend")
    return keras


def _random_bias(layer: Recurrent, rng: np.random.Generator) -> None:
    """Move the bias off its init (zeros / unit forget) so every gradient path is exercised."""
    if "bias" in layer.params:
        b = layer.params["bias"]
        layer.params["bias"] = b + 0.3 * rng.standard_normal(b.shape)


# gradients -------------------------------------------------------------------
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
@pytest.mark.parametrize("n,t,f,u", [(2, 3, 2, 3), (3, 4, 3, 2)])
def test_gradients_match_finite_differences(cls: type, return_sequences: bool, n: int, t: int,
                                            f: int, u: int) -> None:
    rng = np.random.default_rng(n * 10 + t)
    layer = build_layer(cls(u, return_sequences=return_sequences), (t, f))
    _random_bias(layer, rng)
    assert_layer_gradients(layer, rng.standard_normal((n, t, f)), tol=1e-6)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_gradients_without_bias_and_single_step(cls: type) -> None:
    rng = np.random.default_rng(3)
    assert_layer_gradients(build_layer(cls(3, use_bias=False), (4, 2)),
                           rng.standard_normal((2, 4, 2)), tol=1e-6)
    layer = build_layer(cls(3, return_sequences=True), (1, 2))  # T = 1: dU is exactly 0
    _random_bias(layer, rng)
    assert_layer_gradients(layer, rng.standard_normal((2, 1, 2)), tol=1e-6)


def test_gradients_with_other_activations() -> None:
    rng = np.random.default_rng(4)
    for layer in (LSTM(3, recurrent_activation="hard_sigmoid"), GRU(3, activation="linear"),
                  SimpleRNN(3, activation="sigmoid")):
        build_layer(layer, (3, 2))
        assert_layer_gradients(layer, 0.5 * rng.standard_normal((2, 3, 2)), tol=1e-6)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_last_output_is_last_step_of_the_sequence(cls: type) -> None:
    x = np.random.default_rng(5).standard_normal((2, 6, 3)).astype(np.float32)
    seq = cls(4, return_sequences=True)
    last = cls(4)
    seq(x)
    last(x)
    last.set_weights(seq.get_weights())
    np.testing.assert_allclose(last(x), seq(x)[:, -1], rtol=0, atol=1e-6)


# weights: Keras's shapes, gate orders and defaults ---------------------------
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_weight_shapes_and_parameter_count(cls: type) -> None:
    f, u = 3, 5
    k = BLOCKS[cls.__name__] * u
    layer = build_layer(cls(u), (7, f), dtype="float32")
    bias_shape = (2, k) if cls is GRU else (k,)
    assert [w.shape for w in layer.get_weights()] == [(f, k), (u, k), bias_shape]
    assert layer.count_params() == f * k + u * k + int(np.prod(bias_shape))
    assert layer.output_shape == (u,)
    assert build_layer(cls(u, return_sequences=True), (7, f)).output_shape == (7, u)


def test_lstm_unit_forget_bias_and_orthogonal_recurrent_kernel() -> None:
    u = 4
    bias = build_layer(LSTM(u), (3, 2)).get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(u), np.ones(u), np.zeros(2 * u)])
    assert not build_layer(LSTM(u, unit_forget_bias=False), (3, 2)).get_weights()[2].any()
    rk = build_layer(SimpleRNN(u), (3, 2)).get_weights()[1]
    np.testing.assert_allclose(rk @ rk.T, np.eye(u), atol=1e-10)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_get_config_rebuilds_the_layer(cls: type) -> None:
    layer = cls(6, return_sequences=True, name=f"rnn_cfg_{cls.__name__}")
    config = layer.get_config()
    assert config["units"] == 6 and config["return_sequences"] is True
    assert cls(**config).get_config() == config
    assert layer.formula


def test_classes_resolve_from_the_layer_index() -> None:
    for cls in CLASSES:
        assert get_layer_class(cls.__name__) is cls
        assert getattr(nntui.layers, cls.__name__) is cls


# Keras parity ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
def test_outputs_match_keras_with_the_same_weights(name: str, return_sequences: bool) -> None:
    keras = _keras()
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 7, 2)).astype(np.float32)
    theirs = getattr(keras.layers, name)(5, return_sequences=return_sequences)
    theirs(x)
    weights = [(0.5 * rng.standard_normal(w.shape)).astype(np.float32)
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = get_layer_class(name)(5, return_sequences=return_sequences)
    ours(x)
    ours.set_weights(weights)
    want = keras.ops.convert_to_numpy(theirs(x))
    np.testing.assert_allclose(ours(x), want, rtol=0, atol=1e-5)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_one_adam_step_in_a_sequential_matches_keras(name: str) -> None:
    keras = _keras()
    rng = np.random.default_rng(7)
    x = rng.standard_normal((8, 6, 2)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    theirs = keras.Sequential([keras.Input((6, 2)), getattr(keras.layers, name)(4),
                               keras.layers.Dense(1)])
    theirs.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    ours = nntui.Sequential([nntui.Input((6, 2)), get_layer_class(name)(4),
                             nntui.layers.Dense(1)], backend="numpy")
    ours.compile(optimizer=nntui.optimizers.Adam(learning_rate=0.01), loss="mse")
    ours.build()
    ours.set_weights(theirs.get_weights())
    loss_ours = ours.train_on_batch(x, y)
    loss_theirs = theirs.train_on_batch(x, y)
    np.testing.assert_allclose(loss_ours, float(np.ravel(loss_theirs)[0]), rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# traces for the dashboard and the inspector --------------------------------------
GATE_KEYS = {
    "SimpleRNN": ([], ["hidden"]),
    "LSTM": (["gate_i", "gate_f", "gate_o"], ["candidate", "cell", "hidden"]),
    "GRU": (["gate_z", "gate_r"], ["candidate", "hidden"]),
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_traces_have_documented_shapes_and_gates_lie_in_unit_interval(cls: type) -> None:
    n, t, u = 4, 9, 3
    layer = build_layer(cls(u), (t, 2), dtype="float32")
    x = np.random.default_rng(8).standard_normal((n, t, 2)).astype(np.float32)
    layer.forward(x)
    layer.backward(np.ones((n, u), np.float32))
    assert layer.last_grad_norms is None  # tracing off: nothing recorded
    layer._trace = {}
    layer.forward(x)
    layer.backward(np.ones((n, u), np.float32))
    trace, layer._trace = layer._trace, None
    gates, states = GATE_KEYS[cls.__name__]
    assert set(trace) == {*gates, *states, "grad_hidden_norm_per_step", "grad_z_in",
                          "grad_z_rec"}
    for key in gates + states:
        assert trace[key].shape == (n, t, u), key
    for key in ("grad_z_in", "grad_z_rec"):  # time-major dL/dz of every step, all blocks
        assert trace[key].shape == (t, n, cls.blocks * u), key
    for key in gates:
        assert np.all((trace[key] > 0) & (trace[key] < 1)), key
    norms = trace["grad_hidden_norm_per_step"]
    assert norms.shape == (t,) and np.all(norms > 0)
    assert layer.last_grad_norms is not None
    np.testing.assert_allclose(layer.last_grad_norms, norms)
    # return_sequences=False: dL/dh_T is exactly the output gradient, norm sqrt(u) per sample
    np.testing.assert_allclose(norms[-1], np.sqrt(u), rtol=1e-6)


def test_traced_step_collects_lstm_internals() -> None:
    model = nntui.Sequential([nntui.Input((5, 1)), LSTM(3, return_sequences=True),
                              GRU(2), nntui.layers.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(9)
    step = traced_step(model, rng.standard_normal((6, 5, 1)), rng.standard_normal((6, 1)))
    lstm, gru = step.layers[0].internals, step.layers[1].internals
    assert lstm["gate_f"].shape == (6, 5, 3) and gru["gate_z"].shape == (6, 5, 2)
    assert lstm["grad_hidden_norm_per_step"].shape == (5,)
    assert "c'=f⊙c+i⊙g" in step.layers[0].formula
    assert all(layer._trace is None for layer in model.layers)


# errors a learner meets ----------------------------------------------------------
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_flat_input_gives_a_shape_error_naming_the_layer(cls: type) -> None:
    layer = cls(4, name=f"enc_{cls.__name__}")
    with pytest.raises(ShapeError, match=f"enc_{cls.__name__}.*reshape x to \\(N, T, 1\\)"):
        build_layer(layer, (10,))
    model = nntui.Sequential([nntui.Input((10,)), cls(4)])
    with pytest.raises(ShapeError, match=cls.__name__):
        model.build()


def test_wrong_feature_count_at_call_time_names_the_layer() -> None:
    layer = build_layer(LSTM(4, name="seq_enc"), (5, 2), dtype="float32")
    with pytest.raises(ShapeError, match="seq_enc.*2 features"):
        layer.forward(np.zeros((3, 5, 4), np.float32))
    with pytest.raises(ShapeError, match="seq_enc"):
        layer.forward(np.zeros((3, 5), np.float32))


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True])
def test_units_must_be_a_positive_integer(units: Any) -> None:
    for cls in CLASSES:
        with pytest.raises(ConfigError, match=f"units={units!r}"):
            cls(units)


def test_bad_arguments_give_config_errors() -> None:
    with pytest.raises(ConfigError, match="recurrent_activation='softmax'"):
        LSTM(4, recurrent_activation="softmax")
    with pytest.raises(ConfigError, match="activation='swish'"):
        SimpleRNN(4, activation="swish")
    with pytest.raises(ConfigError, match="reset_after=False"):
        GRU(4, reset_after=False)
    with pytest.raises(ConfigError, match="stateful"):
        LSTM(4, stateful=True)


@pytest.mark.parametrize("dtype,rtol", [("float32", 2e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_kernel_equals_the_step_by_step_formula(dtype: str, rtol: float,
                                                    return_sequences: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend's LSTM kernel (NumPy: in place, compiled for float32 when numba is
    installed) gives the layer's own step-by-step formula's outputs, dL/dx and every
    parameter gradient."""
    rng = np.random.default_rng(11)
    layer = build_layer(LSTM(5, return_sequences=return_sequences), (7, 3), dtype=dtype)
    x = (3 * rng.standard_normal((4, 7, 3))).astype(dtype)  # large |z|: saturated gates
    g = rng.standard_normal((4, 7, 5) if return_sequences else (4, 5)).astype(dtype)
    results = []
    for fast in (True, False):
        monkeypatch.setattr(LSTM, "_standard", property(lambda self, fast=fast: fast))
        out = layer.forward(x, training=True)
        dx = layer.backward(g)
        results.append((out.copy(), dx.copy(), {k: v.copy() for k, v in layer.grads.items()}))
        layer.zero_grad()
    (o1, dx1, g1), (o2, dx2, g2) = results
    np.testing.assert_allclose(o1, o2, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(dx1, dx2, rtol=rtol, atol=rtol)
    for k in g1:
        np.testing.assert_allclose(g1[k], g2[k], rtol=rtol, atol=rtol, err_msg=k)
