"""The MLP's leaky ReLU slope: set in [model] (and so in the launcher), built as the
notes write it in Keras (Dense, then LeakyReLU(negative_slope)), refused where it
would act on nothing."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.architectures import build_session
from nntui.architectures.layer_table import tables_of
from nntui.errors import ConfigError
from nntui.presets import spec_from_dict


def spec(**model: object) -> object:
    return spec_from_dict({"name": "leaky", "architecture": "mlp", "dataset": {"name": "xor"},
                           "model": {"hidden": [8, 4], **model}, "train": {"epochs": 1}})


def test_the_slope_builds_dense_then_leaky_relu_with_that_slope() -> None:
    model = build_session(spec(activation="leaky_relu", negative_slope=0.01)).model
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds[:4] == ["Dense", "LeakyReLU", "Dense", "LeakyReLU"]
    x = np.array([[-3.0, 2.0], [1.0, -1.0]], np.float32)
    w, b = model.layers[0].get_weights()
    z = x @ w + b
    ops = model.ops
    out = ops.to_numpy(model.layers[1].forward(model.layers[0].forward(ops.asarray(x))))
    assert np.allclose(out, np.where(z > 0, z, 0.01 * z), atol=1e-6)
    assert (z < 0).any()  # the slope was exercised


def test_without_a_slope_leaky_relu_keeps_keras_default_in_the_dense_layer() -> None:
    model = build_session(spec(activation="leaky_relu")).model
    assert [type(layer).__name__ for layer in model.layers][:2] == ["Dense", "Dense"]
    assert model.layers[0].activation.negative_slope == pytest.approx(0.2)


def test_a_slope_with_no_leaky_relu_layer_is_refused_naming_both_keys() -> None:
    with pytest.raises(ConfigError, match=r"model.negative_slope = 0.01 .*model.activation"):
        build_session(spec(activation="relu", negative_slope=0.01))


def test_the_editor_reads_the_leaky_layers_back_with_their_slope() -> None:
    model = build_session(spec(activation=["leaky_relu", "tanh"], negative_slope=0.05)).model
    tables = tables_of(model)
    assert tables[1] == {"type": "LeakyReLU", "negative_slope": pytest.approx(0.05)}
    assert tables[2]["type"] == "Dense" and tables[2]["activation"] == "tanh"
