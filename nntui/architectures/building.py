"""Pieces the families build models from: optimizer, loss, heads, dense stacks, layer tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nntui.architectures.base import Architecture, Session
from nntui.architectures.fields import MAX_UNITS, per_layer_values
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine import schedules
from nntui.engine.layers import get_layer_class
from nntui.engine.layers.base import Layer
from nntui.engine.model import Input, Sequential
from nntui.engine.optimizers import SGD, Adam, Optimizer, RMSprop
from nntui.errors import ConfigError


def make_optimizer(spec: RunSpec) -> Optimizer:
    """The optimizer ``[train]`` names, with its learning rate and global-norm clip."""
    t = spec.train
    clip = t.clipnorm or None  # train.clipnorm is a global-norm clip; 0 means off
    lr = learning_rate(spec)
    if t.optimizer == "sgd":
        return SGD(lr, momentum=t.momentum, global_clipnorm=clip)
    if t.optimizer == "rmsprop":
        return RMSprop(lr, global_clipnorm=clip)
    return Adam(lr, global_clipnorm=clip)


def learning_rate(spec: RunSpec) -> Any:
    """``train.learning_rate``, or Keras's schedule starting there (``train.lr_schedule``)."""
    t = spec.train
    if t.lr_schedule == "exponential":
        return schedules.ExponentialDecay(t.learning_rate, t.lr_decay_steps, t.lr_decay_rate)
    if t.lr_schedule == "inverse_time":
        return schedules.InverseTimeDecay(t.learning_rate, t.lr_decay_steps, t.lr_decay_rate)
    if t.lr_schedule == "cosine":
        return schedules.CosineDecay(t.learning_rate, t.lr_decay_steps)
    return t.learning_rate


def compile_supervised(spec: RunSpec, model: Sequential, ds: Dataset) -> None:
    """Compile with ``[train]``'s optimizer and the loss and metrics its task calls for
    (``loss = "auto"``: cross-entropy for classes, MSE otherwise)."""
    t = spec.train
    loss = t.loss
    if loss == "auto":
        loss = ("sparse_categorical_crossentropy" if ds.num_classes and
                ds.task in ("classification", "sequence", "language") else "mse")
    metrics = list(t.metrics)
    if metrics == ["auto"]:
        metrics = ["accuracy"] if "crossentropy" in loss else ["mae"]
    model.compile(optimizer=make_optimizer(spec), loss=loss, metrics=metrics)


WIDTHS = frozenset({"units", "filters", "ff_dim", "key_dim", "value_dim", "num_heads",
                    "output_dim", "input_dim", "max_length"})
"""Layer arguments that size a weight: each is at most MAX_UNITS."""


def layer_from_dict(d: dict[str, Any], where: str) -> Layer:
    """``{type = "Dense", units = 64}`` -> a layer; errors name the config path."""
    if not isinstance(d, dict) or "type" not in d:
        raise ConfigError(
            f"{where} must be a table with a 'type', e.g. {{ type = 'Dense', units = 8 }}")
    args = {k: v for k, v in d.items() if k != "type"}
    for key in WIDTHS & set(args):  # the one limit of model.hidden and friends
        value = args[key]
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_UNITS:
            raise ConfigError(f"{where}.{key} must be at most {MAX_UNITS} (the limit of every "
                              f"layer's width). Received: {key}={value!r}")
    cls = get_layer_class(str(d["type"]))
    try:
        layer: Layer = cls(**args)
    except (ConfigError, TypeError) as e:
        raise ConfigError(f"{where} ({d['type']}): {e}") from None
    return layer


def layers_from_tables(tables: list[dict[str, Any]]) -> list[Layer]:
    """``model.layers`` (the full form) -> layers."""
    return [layer_from_dict(d, f"model.layers[{i}]") for i, d in enumerate(tables)]


def head(ds: Dataset) -> list[Layer]:
    """The output layer the dataset's task needs: softmax over the classes, or linear."""
    Dense = get_layer_class("Dense")
    if ds.task in ("classification", "sequence") and ds.num_classes:
        return [Dense(ds.num_classes, activation="softmax", name="output")]
    out = int(np.prod(ds.y_train.shape[1:])) if ds.y_train.ndim > 1 else 1
    return [Dense(out, name="output")]


def hidden_dense(spec: RunSpec, units: list[int], activation: str | list[str],
                 negative_slope: float | None = None) -> list[Layer]:
    """Dense layers of ``units`` (``activation``: one for all, or one per layer) with
    ``[train]``'s L1/L2 and dropout after each. With ``negative_slope``, a ``leaky_relu``
    layer is written as the notes write it in Keras: ``Dense`` then
    ``LeakyReLU(negative_slope)``."""
    L, t = get_layer_class, spec.train
    reg = {"kernel_regularizer": {"l1": t.l1, "l2": t.l2}} if t.l1 or t.l2 else {}
    layers: list[Layer] = []
    for u, act in zip(units, per_layer_values(activation, len(units)), strict=True):
        if act == "leaky_relu" and negative_slope is not None:
            layers += [L("Dense")(int(u), **reg), L("LeakyReLU")(negative_slope=negative_slope)]
        else:
            layers.append(L("Dense")(int(u), activation=act, **reg))
        if t.dropout:
            layers.append(L("Dropout")(t.dropout, seed=t.seed))
    return layers


def supervised_session(arch: Architecture, spec: RunSpec, ds: Dataset,
                       body: list[Layer]) -> Session:
    """Input, ``body`` (and the task's head unless ``model.layers`` gave the whole
    model), compiled for the task."""
    with_head = body if "layers" in spec.model else body + head(ds)
    model = Sequential([Input(ds.input_shape), *with_head], name=spec.name,
                       backend=spec.train.backend, seed=spec.train.seed)
    compile_supervised(spec, model, ds)
    model.build()
    return Session(spec, arch, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def sequential(spec: RunSpec, layers: list[Any], name: str | None = None,
               seed: int | None = None) -> Sequential:
    """A built Sequential on ``[train]``'s backend."""
    model = Sequential(layers, name=name or spec.name, backend=spec.train.backend,
                       seed=spec.train.seed if seed is None else seed)
    model.build()
    return model


def two_classes(title: str, alternative: str = "the mlp architecture"
                ) -> Callable[[RunSpec, Dataset], None]:
    """A ``check_data`` for one-line classifiers: the dataset must have two classes."""
    def check(spec: RunSpec, ds: Dataset) -> None:
        if ds.task != "classification" or ds.num_classes != 2:
            raise ConfigError(
                f"{title} cannot learn from dataset {ds.name!r}: it separates two classes "
                f"with one line and {ds.name!r} has {ds.num_classes or 'no'} classes. "
                f"Choose a two-class dataset (blobs, xor), or use {alternative}.")
    return check
