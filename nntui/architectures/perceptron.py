"""The perceptron: one neuron with a step activation, trained by Rosenblatt's rule.

It has no ``[model]`` settings and reads only the ``[train]`` keys the rule uses
(η, epochs, batch order, seed, backend): no optimizer, loss, regularisation or
clipping, because the rule takes no gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import two_classes
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.learner import Learner
from nntui.engine.perceptron import Perceptron
from nntui.panel_data.points import points_data


def build(spec: RunSpec, ds: Dataset) -> Session:
    model = Perceptron(int(np.prod(ds.input_shape)), spec.train.learning_rate,
                       seed=spec.train.seed, backend=spec.train.backend)
    return Session(spec, ARCHITECTURE, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return points_data(session, model)


ARCHITECTURE = Architecture(
    name="perceptron", title="Perceptron",
    one_line="one neuron, step activation, the perceptron learning rule: draws a line, "
             "fails on XOR",
    input_kinds=("points2d",), default_preset="perceptron-blobs", fields=(),
    build=build, panel_data=panel_data, panel="points", order=10,
    unused_train=frozenset({"optimizer", "momentum", "loss", "metrics", "l1", "l2",
                            "dropout", "clipnorm", "lr_schedule", "lr_decay_steps",
                            "lr_decay_rate"}),
    datasets=("blobs", "xor"), check_data=two_classes("Perceptron"))
ARCHITECTURES = (ARCHITECTURE,)
