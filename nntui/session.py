"""A session: a validated RunSpec turned into a dataset, a model and a trainer factory.

The app, ``nntui train`` and the tests all start runs through ``build_session``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.engine.gan import GAN
from nntui.engine.layers import get_layer_class
from nntui.engine.model import Input, Sequential
from nntui.engine.optimizers import SGD, Adam, Optimizer, RMSprop
from nntui.engine.perceptron import Perceptron
from nntui.engine.trainer import Trainer
from nntui.errors import ConfigError, NntuiError
from nntui.presets import ARCHITECTURES, RunSpec


@dataclass
class Session:
    """Everything one run needs.

    Attributes:
        spec: the validated run spec.
        dataset: the loaded Dataset.
        model: the learner (Sequential, Perceptron or GAN).
        x_train, y_train, x_val, y_val: the arrays the trainer uses (inputs may be noisy
            for the denoising autoencoder).
        info: architecture extras (e.g. transfer learning's accuracy before fine-tuning).
    """

    spec: RunSpec
    dataset: Any
    model: Any
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    info: dict[str, Any] = field(default_factory=dict)

    def trainer(self, snapshot_every: int | None = None, on_divergence: str = "pause",
                run_name: str | None = None) -> Trainer:
        """A fresh Trainer for this session (not started)."""
        t = self.spec.train
        val = (self.x_val, self.y_val) if self.x_val is not None and len(self.x_val) else None
        return Trainer(self.model, self.x_train, self.y_train, batch_size=t.batch_size,
                       epochs=t.epochs, validation_data=val, shuffle=True, seed=t.seed,
                       snapshot_every=(t.snapshot_every if snapshot_every is None
                                       else snapshot_every),
                       on_divergence=on_divergence, extras=self.extras,
                       run_name=run_name or self.spec.name, config=self.spec.to_dict())

    def extras(self, model: Any, x_val: Any, y_val: Any) -> dict[str, Any]:
        """Architecture panel data for a snapshot (see ``nntui.panel_data``)."""
        from nntui.panel_data import panel_data

        return panel_data(self, model, x_val, y_val)


def make_optimizer(spec: RunSpec) -> Optimizer:
    t = spec.train
    clip = t.clipnorm or None  # train.clipnorm is a global-norm clip; 0 means off
    if t.optimizer == "sgd":
        return SGD(t.learning_rate, momentum=t.momentum, global_clipnorm=clip)
    if t.optimizer == "rmsprop":
        return RMSprop(t.learning_rate, global_clipnorm=clip)
    return Adam(t.learning_rate, global_clipnorm=clip)


def layer_from_dict(d: dict[str, Any], where: str) -> Any:
    """``{type = "Dense", units = 64}`` -> a layer; errors name the config path."""
    if not isinstance(d, dict) or "type" not in d:
        raise ConfigError(
            f"{where} must be a table with a 'type', e.g. {{ type = 'Dense', units = 8 }}")
    args = {k: v for k, v in d.items() if k != "type"}
    cls = get_layer_class(str(d["type"]))
    try:
        return cls(**args)
    except ConfigError as e:
        raise ConfigError(f"{where} ({d['type']}): {e}") from None
    except TypeError as e:
        raise ConfigError(f"{where} ({d['type']}): {e}") from None


def _dense_kwargs(spec: RunSpec) -> dict[str, Any]:
    t = spec.train
    if t.l1 or t.l2:
        return {"kernel_regularizer": {"l1": t.l1, "l2": t.l2}}
    return {}


def _head(spec: RunSpec, ds: Any) -> list[Any]:
    Dense = get_layer_class("Dense")
    if ds.task in ("classification", "sequence") and ds.num_classes:
        return [Dense(ds.num_classes, activation="softmax", name="output")]
    out = int(np.prod(ds.y_train.shape[1:])) if ds.y_train.ndim > 1 else 1
    return [Dense(out, name="output")]


def _hidden_dense(spec: RunSpec, units: list[int], activation: str) -> list[Any]:
    L = get_layer_class
    layers: list[Any] = []
    for u in units:
        layers.append(L("Dense")(int(u), activation=activation, **_dense_kwargs(spec)))
        if spec.train.dropout:
            layers.append(L("Dropout")(spec.train.dropout, seed=spec.train.seed))
    return layers


def _body(spec: RunSpec, ds: Any) -> list[Any]:
    """Layers between the input and the head, from ``model.layers`` or the short forms."""
    m, arch, L = spec.model, spec.architecture, get_layer_class
    if "layers" in m:
        if not isinstance(m["layers"], list):
            raise ConfigError("model.layers must be a list of layer tables")
        return [layer_from_dict(d, f"model.layers[{i}]") for i, d in enumerate(m["layers"])]
    act = str(m.get("activation", "relu"))
    hidden = [int(u) for u in m.get("hidden", [32])]
    flat = [L("Flatten")()] if len(ds.input_shape) > 1 and arch in ("mlp",) else []
    if arch == "cnn":
        body: list[Any] = []
        for f in m.get("conv", [8, 16]):
            body += [L("Conv2D")(int(f), int(m.get("kernel_size", 3)), activation=act,
                                 padding=str(m.get("padding", "valid"))),
                     L("MaxPooling2D")(2)]
        return body + [L("Flatten")()] + _hidden_dense(spec, m.get("dense", []), act)
    if arch in ("rnn", "lstm", "gru"):
        cls = L({"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}[arch])
        return [cls(int(u), return_sequences=i < len(hidden) - 1) for i, u in enumerate(hidden)]
    return flat + _hidden_dense(spec, hidden, act)


FILE_DATASETS = ("csv", "npz")  # their input kind is known only once the file is read


def _check_fit(spec: RunSpec, name: str, kind: str) -> None:
    arch = ARCHITECTURES[spec.architecture]
    if kind not in arch.input_kinds:
        raise ConfigError(
            f"{arch.title} cannot learn from dataset {name!r}: it takes "
            f"{' or '.join(arch.input_kinds)} data and {name!r} is {kind} data. "
            f"Choose {_article(arch.input_kinds[0])} {' or '.join(arch.input_kinds)} dataset "
            "(see `nntui list`)."
        )


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _loaded_kind(ds: Any, registered: str) -> str:
    """A file dataset's input kind from its sample shape: (F,), (T, F) or (H, W, C)."""
    if ds.name not in FILE_DATASETS:
        return registered
    return {1: "vector", 2: "sequence", 3: "image"}.get(len(ds.input_shape), "unknown")


def _check_data(spec: RunSpec, ds: Any) -> None:
    """What the input kind alone cannot tell: the perceptron draws one line (two classes)."""
    if spec.architecture == "perceptron" and (ds.task != "classification" or ds.num_classes != 2):
        raise ConfigError(
            f"Perceptron cannot learn from dataset {ds.name!r}: it separates two classes with "
            f"one line and {ds.name!r} has {ds.num_classes or 'no'} classes. "
            "Choose blobs or xor, or use the mlp architecture.")


def build_session(spec: RunSpec, data_dir: str | None = None) -> Session:
    """Load the dataset and build the model the spec describes.

    Raises:
        ConfigError: the architecture cannot fit the dataset, or a model field is invalid.
        DatasetError: the dataset cannot be loaded.
        ShapeError: the layers do not fit the data (e.g. convolutions shrink it below 1 pixel).
    """
    from nntui.data import DATASETS, load_dataset

    opts = {k: v for k, v in spec.dataset.items() if k != "name"}
    name = spec.dataset["name"]
    if name not in DATASETS:
        load_dataset(name)  # raises the DatasetError with the closest names
    if name not in FILE_DATASETS:
        _check_fit(spec, name, DATASETS[name].input_kind)
    if data_dir is not None and DATASETS[name].needs_download:
        opts.setdefault("data_dir", data_dir)
    seed = opts.pop("seed", spec.train.seed)  # dataset.seed: other data, same training seed
    ds = load_dataset(name, seed=seed, **opts)
    _check_fit(spec, name, _loaded_kind(ds, DATASETS[name].input_kind))
    _check_data(spec, ds)
    from nntui.session_builders import BUILDERS

    try:
        return BUILDERS.get(spec.architecture, _build_supervised)(spec, ds)
    except MemoryError:
        raise ConfigError(f"the {spec.architecture} model in this config does not fit in memory; "
                          "use fewer or smaller layers") from None
    except NntuiError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as e:
        # A value the checks above let through: still one clear line, cause kept in the chain.
        raise ConfigError(f"cannot build the {spec.architecture} model from this config: "
                          f"{type(e).__name__}: {e}") from e


def compile_supervised(spec: RunSpec, model: Sequential, ds: Any) -> None:
    t = spec.train
    loss = t.loss
    if loss == "auto":
        loss = ("sparse_categorical_crossentropy" if ds.num_classes and
                ds.task in ("classification", "sequence", "language") else "mse")
    metrics = list(t.metrics)
    if metrics == ["auto"]:
        metrics = ["accuracy"] if "crossentropy" in loss else ["mae"]
    model.compile(optimizer=make_optimizer(spec), loss=loss, metrics=metrics)


def _build_supervised(spec: RunSpec, ds: Any) -> Session:
    model = Sequential([Input(ds.input_shape)] + _body(spec, ds) + (
        [] if "layers" in spec.model else _head(spec, ds)), name=spec.name,
        backend=spec.train.backend, seed=spec.train.seed)
    compile_supervised(spec, model, ds)
    model.build()
    return Session(spec, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def build_perceptron(spec: RunSpec, ds: Any) -> Session:
    model = Perceptron(int(np.prod(ds.input_shape)), spec.train.learning_rate,
                       seed=spec.train.seed, backend=spec.train.backend)
    return Session(spec, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def build_gan(spec: RunSpec, ds: Any) -> Session:
    m, L = spec.model, get_layer_class
    latent = int(m.get("latent_dim", 8))
    shape = ds.input_shape
    size = int(np.prod(shape))
    act = str(m.get("activation", "relu"))
    g_layers = [L("Dense")(int(u), activation=act) for u in m.get("generator", [64, 64])]
    out_act = "sigmoid" if len(shape) > 1 else None  # images in [0, 1]; points unbounded
    g_layers.append(L("Dense")(size, activation=out_act))
    if len(shape) > 1:
        g_layers.append(L("Reshape")(shape))
    d_layers = ([L("Flatten")()] if len(shape) > 1 else []) + [
        L("Dense")(int(u), activation="leaky_relu")
        for u in m.get("discriminator", [64, 64])] + [L("Dense")(1, activation="sigmoid")]
    seed = spec.train.seed
    g = Sequential([Input((latent,))] + g_layers, name="generator", backend=spec.train.backend,
                   seed=seed)
    d = Sequential([Input(shape)] + d_layers, name="discriminator", backend=spec.train.backend,
                   seed=seed + 1)
    g.build()
    d.build()
    gan = GAN(g, d, latent, seed=seed)
    gan.compile(make_optimizer(spec), make_optimizer(spec))
    return Session(spec, ds, gan, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
