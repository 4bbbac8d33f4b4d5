"""SimpleRNN, LSTM and GRU: recurrent layers over sequences, one architecture each.

Their panel shows the gates and states of probe sequences step by step as
heatmaps, the gradient norm per time step (vanishing gradients), and the
predictions or forecasts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import layers_from_tables, supervised_session
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.layers import get_layer_class
from nntui.engine.learner import Learner
from nntui.panel_data.sequences import recurrent_data

FIELDS = (
    f.ModelField("hidden", f.units(1), [32], "recurrent units", "units",
                 help="units of each recurrent layer (stacked ones return sequences)"),
    f.layers_field(),
)
LAYER = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def build(spec: RunSpec, ds: Dataset) -> Session:
    arch = BY_NAME[spec.architecture]
    if "layers" in spec.model:
        return supervised_session(arch, spec, ds, layers_from_tables(spec.model["layers"]))
    cls = get_layer_class(LAYER[arch.name])
    hidden = [int(u) for u in arch.value(spec.model, "hidden")]
    body = [cls(u, return_sequences=i < len(hidden) - 1) for i, u in enumerate(hidden)]
    return supervised_session(arch, spec, ds, body)


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return recurrent_data(session, model, x_val, y_val)


def _recurrent(name: str, title: str, one_line: str, order: int) -> Architecture:
    return Architecture(name=name, title=title, one_line=one_line, input_kinds=("sequence",),
                        default_preset=f"{name}-memory", fields=FIELDS, build=build,
                        panel_data=panel_data, panel="recurrent", order=order,
                        units_field="hidden")


ARCHITECTURES = (
    _recurrent("rnn", "SimpleRNN", "a recurrent net: remembers, but its gradient vanishes "
               "over long sequences", 40),
    _recurrent("lstm", "LSTM", "gated memory cells keep information over long sequences", 41),
    _recurrent("gru", "GRU", "a lighter gated recurrent unit (update and reset gates)", 42),
)
BY_NAME = {a.name: a for a in ARCHITECTURES}
