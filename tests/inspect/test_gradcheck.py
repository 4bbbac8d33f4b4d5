"""The inspector's gradient check agrees with the engine's own finite differences
(tests/engine/gradcheck.py) on the same layer and batch, and leaves the model as it was."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nntui.engine.backend import mlx_available
from nntui.engine.layers import get_layer_class as L
from nntui.engine.model import Input, Sequential
from nntui.engine.trace import traced_step
from nntui.inspect.gradcheck import batch_loss, float64_copy, gradient_check
from tests.engine.gradcheck import _numeric, rel_error

RNG = np.random.default_rng(11)


def model_and_batch(kind: str, backend: str = "numpy") -> tuple[Sequential, np.ndarray, np.ndarray]:
    if kind == "mlp":
        layers = [Input((3,)), L("Dense")(4, activation="tanh"),
                  L("Dense")(3, activation="softmax")]
        x, y = RNG.standard_normal((4, 3)), np.array([0, 2, 1, 1])
        loss = "sparse_categorical_crossentropy"
    elif kind == "cnn":
        layers = [Input((5, 5, 1)), L("Conv2D")(2, 3, padding="same", activation="tanh"),
                  L("MaxPooling2D")(2), L("Flatten")(), L("Dense")(1)]
        x, y, loss = RNG.standard_normal((4, 5, 5, 1)), RNG.standard_normal((4, 1)), "mse"
    else:
        layers = [Input((4, 2)), L("LSTM")(3), L("Dense")(1)]
        x, y, loss = RNG.standard_normal((4, 4, 2)), RNG.standard_normal((4, 1)), "mse"
    model = Sequential(layers, seed=5, backend=backend)
    model.compile(optimizer="adam", loss=loss)
    model.build()
    return model, x, y


@pytest.mark.parametrize(("kind", "layer"), [("mlp", 0), ("mlp", 1), ("cnn", 0), ("lstm", 0)])
def test_gradient_check_agrees_with_the_engines_finite_differences(kind: str, layer: int) -> None:
    model, x, y = model_and_batch(kind)
    result = gradient_check(model, x, y, layer, per_param=5)
    assert result.passed and result.dtype == "float64"
    assert {r.param for r in result.rows} == set(model.layers[layer].params)
    # the engine's own helper, on the whole parameter arrays of the same float64 model
    ref = float64_copy(model)
    loss = batch_loss(ref)
    target = ref.layers[layer]
    trace = traced_step(ref, x, y)
    for name in target.params:
        arr = np.array(target.params[name], order="C")  # _numeric edits it through a view

        def f(arr: np.ndarray = arr, name: str = name) -> float:
            target.params[name] = arr
            return loss(x, y)

        numeric = _numeric(f, arr, 1e-6)
        assert rel_error(trace.layers[layer].grads[name], numeric) < 1e-6
        for row in (r for r in result.rows if r.param == name):
            np.testing.assert_allclose(row.numeric, numeric[row.index], rtol=1e-6, atol=1e-10)
            np.testing.assert_allclose(row.analytic, trace.layers[layer].grads[name][row.index],
                                       rtol=1e-9, atol=1e-12)


def test_gradient_check_leaves_the_model_unchanged() -> None:
    model, x, y = model_and_batch("mlp")
    before = [w.copy() for w in model.get_weights()]
    gradient_check(model, x, y, 1)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.ops.dtype == np.float32


def test_a_wrong_backward_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    model, x, y = model_and_batch("mlp")
    dense: Any = type(model.layers[0])
    original = dense.backward_from_z

    def broken(self: object, grad_z: np.ndarray) -> np.ndarray:
        return original(self, grad_z * 1.5)  # type: ignore[arg-type]

    monkeypatch.setattr(dense, "backward_from_z", broken)
    result = gradient_check(model, x, y, 0)
    assert not result.passed and result.max_rel_error > 0.1


@pytest.mark.skipif(not mlx_available(), reason="MLX is not installed")
def test_gradient_check_on_mlx_runs_in_float32_with_a_looser_tolerance() -> None:
    model, x, y = model_and_batch("mlp", backend="mlx")
    before = [w.copy() for w in model.get_weights()]
    result = gradient_check(model, x, y, 0)
    assert result.dtype == "float32" and result.rtol > 1e-3
    assert result.passed, [(r.analytic, r.numeric) for r in result.rows]
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
