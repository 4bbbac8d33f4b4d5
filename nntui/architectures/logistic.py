"""Logistic regression: a single neuron, σ(w·x + b), trained by gradient descent on the
binary cross-entropy; the step from the perceptron to the MLP.

It draws one line like the perceptron, but with probabilities on both sides of it,
and it learns from every sample's gradient, not only from mistakes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import make_optimizer, sequential, two_classes
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.layers import get_layer_class
from nntui.engine.learner import Learner
from nntui.engine.model import Input
from nntui.panel_data.points import points_data


def build(spec: RunSpec, ds: Dataset) -> Session:
    neuron = get_layer_class("Dense")(1, activation="sigmoid", name="neuron")
    model = sequential(spec, [Input(ds.input_shape), neuron])
    model.compile(optimizer=make_optimizer(spec), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return Session(spec, ARCHITECTURE, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return points_data(session, model)


ARCHITECTURE = Architecture(
    name="logistic", title="Logistic regression",
    one_line="a single sigmoid neuron trained by gradient descent: a line with probabilities",
    input_kinds=("points2d",), default_preset="logistic-blobs", fields=(),
    build=build, panel_data=panel_data, panel="points", order=15,
    unused_train=frozenset({"loss", "metrics", "l1", "l2", "dropout"}),
    check_data=two_classes("Logistic regression"))
ARCHITECTURES = (ARCHITECTURE,)
