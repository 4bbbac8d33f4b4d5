"""The multi-layer perceptron: dense layers with any activation.

On 2-D points its panel shows the decision regions and each first-layer neuron's
output over the plane; on a 1-D input the fitted curve; on images the first
layer's weights as pictures and the classifier's views.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import hidden_dense, layers_from_tables, supervised_session
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.layers import get_layer_class
from nntui.engine.learner import Learner
from nntui.errors import ConfigError
from nntui.panel_data.images import dense_image_data
from nntui.panel_data.points import points_data, regression_data

FIELDS = (
    f.ModelField("hidden", f.units(0), [32], "hidden units", "units",
                 help="units of each hidden layer, e.g. 64,32"),
    f.activation_field(per_layer="hidden"),
    f.slope_field(),
    f.layers_field(),
)


def build(spec: RunSpec, ds: Dataset) -> Session:
    m = spec.model
    if "layers" in m:
        return supervised_session(ARCHITECTURE, spec, ds, layers_from_tables(m["layers"]))
    flat = [get_layer_class("Flatten")()] if len(ds.input_shape) > 1 else []
    hidden = [int(u) for u in ARCHITECTURE.value(m, "hidden")]
    slope = float(m["negative_slope"]) if "negative_slope" in m else None
    body = flat + hidden_dense(spec, hidden, ARCHITECTURE.value(m, "activation"), slope)
    return supervised_session(ARCHITECTURE, spec, ds, body)


def check_slope(model: dict[str, Any]) -> None:
    """A slope other than Keras's default needs a ``leaky_relu`` layer to act on."""
    slope, acts = model.get("negative_slope", 0.2), model.get("activation", "relu")
    if slope != 0.2 and "leaky_relu" not in ([acts] if isinstance(acts, str) else acts):
        raise ConfigError(f"model.negative_slope = {slope!r} acts only on leaky_relu layers, "
                          f"and model.activation is {acts!r}: set activation = "
                          "'leaky_relu' (or per layer) or leave the slope out")


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    shape, task = tuple(session.dataset.input_shape), session.dataset.task
    if shape == (2,):
        return points_data(session, model)
    if shape == (1,) and task == "regression":
        return regression_data(session, model)
    if len(shape) >= 2 and task == "classification":
        return dense_image_data(session, model, x_val, y_val)
    return {}


ARCHITECTURE = Architecture(
    name="mlp", title="MLP",
    one_line="dense layers with any activation: curved decision boundaries and function fits",
    input_kinds=("points2d", "vector", "image"), default_preset="mlp-spiral", fields=FIELDS,
    build=build, panel_data=panel_data, panel="points", order=20, units_field="hidden",
    check_model_extra=check_slope)
ARCHITECTURES = (ARCHITECTURE,)
