"""The one generic contract every layer keeps (Keras's idea): shapes, parameter count,
weights round trip, config rebuild, and finite-difference gradients in float64."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.layers import LAYER_NAMES, get_layer_class
from tests.engine.gradcheck import build_layer, layer_gradients, rel_error
from tests.engine.layer_cases import LAYER_CASES

N = 2


def _input(shape: tuple[int, ...], kind: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "ids":
        return rng.integers(0, 7, (N,) + shape)
    return rng.standard_normal((N,) + shape) + 0.01


def _make(case: str):
    name, kwargs, shape, kind = LAYER_CASES[case]
    layer = build_layer(get_layer_class(name)(**kwargs), shape)
    return layer, _input(shape, kind)


def test_every_public_layer_has_a_case() -> None:
    assert set(LAYER_NAMES) <= {spec[0] for spec in LAYER_CASES.values()}


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_output_shape_and_parameter_count(case: str) -> None:
    layer, x = _make(case)
    out = layer.ops.to_numpy(layer.forward(layer.ops.asarray(x)))
    assert out.shape == (N,) + tuple(layer.output_shape)
    assert layer.count_params() == sum(w.size for w in layer.get_weights())
    assert out.dtype == np.float64  # the float64 backend stays float64 (no silent downcast)


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_weights_round_trip_and_config_rebuilds(case: str) -> None:
    layer, x = _make(case)
    name, _, shape, _ = LAYER_CASES[case]
    before = layer.ops.to_numpy(layer.forward(layer.ops.asarray(x)))
    config = {k: v for k, v in layer.get_config().items() if k != "name"}
    twin = build_layer(get_layer_class(name)(**config), shape, seed=9)
    twin.set_weights(layer.get_weights())
    after = twin.ops.to_numpy(twin.forward(twin.ops.asarray(x)))
    np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_gradients_match_finite_differences(case: str) -> None:
    layer, x = _make(case)
    for what, (analytic, numeric) in layer_gradients(layer, x).items():
        scale = max(float(np.max(np.abs(analytic), initial=0)),
                    float(np.max(np.abs(numeric), initial=0)))
        if scale < 1e-7:  # exactly-zero gradients (e.g. attention's key bias): compare absolutely
            assert scale < 1e-7
            continue
        err = rel_error(analytic, numeric)
        assert err < 1e-6, f"{case}: gradient of {what} has relative error {err:.2e}"
