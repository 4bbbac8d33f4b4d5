"""The convolutional network: Conv2D + max pooling blocks, flatten, dense, softmax.

Its panel shows a probe image with the predicted probabilities, the feature maps
of every conv and pooling layer, the first layer's filters, the held-out
confusion matrix and the most confidently wrong images.
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
from nntui.engine.layers.base import Layer
from nntui.engine.learner import Learner
from nntui.panel_data.images import cnn_data

CONV_FIELDS = (
    f.ModelField("conv", f.units(0), [8, 16], "conv filters", "units",
                 help="filters of each Conv2D + MaxPooling2D block, e.g. 8,16"),
    f.ModelField("kernel_size", f.int_range(1, f.MAX_KERNEL), 3, "kernel size", "int",
                 help="each convolution's kernel is kernel_size × kernel_size"),
    f.ModelField("padding", f.padding, "valid", "padding", "choice", ("valid", "same"),
                 "'valid' shrinks each map by kernel_size - 1; 'same' keeps its size"),
    f.ModelField("dense", f.units(0), [], "dense units", "units",
                 help="dense layers between the flattened maps and the output"),
    f.activation_field(),
)
"""The conv base's settings (transfer learning builds the same base)."""


def conv_body(arch: Architecture, spec: RunSpec) -> list[Layer]:
    """Conv2D + MaxPooling2D per ``model.conv``, flatten, then ``model.dense``."""
    m, L = spec.model, get_layer_class
    act = str(arch.value(m, "activation"))
    body: list[Layer] = []
    for filters in arch.value(m, "conv"):
        body += [L("Conv2D")(int(filters), int(arch.value(m, "kernel_size")), activation=act,
                             padding=str(arch.value(m, "padding"))),
                 L("MaxPooling2D")(2)]
    return body + [L("Flatten")()] + hidden_dense(spec, list(arch.value(m, "dense")), act)


def build(spec: RunSpec, ds: Dataset) -> Session:
    if "layers" in spec.model:
        body = layers_from_tables(spec.model["layers"])
    else:
        body = conv_body(ARCHITECTURE, spec)
    return supervised_session(ARCHITECTURE, spec, ds, body)


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return cnn_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="cnn", title="CNN",
    one_line="convolution and pooling learn filters that find shapes in images",
    input_kinds=("image",), default_preset="cnn-shapes", fields=(*CONV_FIELDS, f.layers_field()),
    build=build, panel_data=panel_data, panel="images", order=30, units_field="dense")
ARCHITECTURES = (ARCHITECTURE,)
