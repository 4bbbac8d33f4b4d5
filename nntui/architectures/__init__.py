"""Architectures: one module per family, each holding all nntui knows about it.

A family module (``perceptron``, ``mlp``, ``cnn``, ``recurrent``, ``gan``,
``autoencoder``, ``transformer``, ``transfer``) defines ``ARCHITECTURES``: its
:class:`Architecture` values, each with the launcher's description, its
``[model]`` fields with checks and defaults, ``build(spec, dataset)``, its panel
data and the name of the dashboard view that draws it. The registry finds the
modules by itself, so a new family is one new module (plus its panel view and a
preset in ``models/``).

Example:
    >>> ARCHITECTURES["mlp"].value({}, "hidden")  # the default hidden layers
    [32]
    >>> session = build_session(load_preset("mlp-xor"))
"""

from __future__ import annotations

from nntui.architectures.base import Architecture, Session
from nntui.architectures.fields import ModelField
from nntui.architectures.registry import ARCHITECTURES, compatible_datasets, get_architecture
from nntui.architectures.session import build_session
from nntui.architectures.spec import Expectation, RunSpec, TrainSpec

__all__ = [
    "ARCHITECTURES", "Architecture", "Expectation", "ModelField", "RunSpec", "Session",
    "TrainSpec", "build_session", "compatible_datasets", "get_architecture",
]
