"""Session builders for the architectures that are more than one supervised Sequential."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nntui.engine.layers import get_layer_class
from nntui.engine.model import Input, Sequential
from nntui.presets import RunSpec
from nntui.session import (
    Session,
    _build_supervised,
    _head,
    build_gan,
    build_perceptron,
    compile_supervised,
    make_optimizer,
)


def build_autoencoder(spec: RunSpec, ds: Any) -> Session:
    """Dense encoder to a small code, decoder back; ``model.noise`` > 0 makes it denoising."""
    m, L = spec.model, get_layer_class
    shape = ds.input_shape
    size = int(np.prod(shape))
    act = str(m.get("activation", "relu"))
    enc = [int(u) for u in m.get("encoder", [128, 32])]
    latent = int(m.get("latent_dim", 2))
    layers: list[Any] = [Input(shape)] + ([L("Flatten")()] if len(shape) > 1 else [])
    layers += [L("Dense")(u, activation=act) for u in enc]
    layers.append(L("Dense")(latent, name="latent"))
    layers += [L("Dense")(u, activation=act) for u in reversed(enc)]
    layers.append(L("Dense")(size, activation="sigmoid"))
    if len(shape) > 1:
        layers.append(L("Reshape")(shape))
    model = Sequential(layers, name=spec.name, backend=spec.train.backend, seed=spec.train.seed)
    model.compile(optimizer=make_optimizer(spec),
                  loss=spec.train.loss if spec.train.loss != "auto" else "mse")
    model.build()
    noise = float(m.get("noise", 0.0))
    rng = np.random.default_rng(spec.train.seed + 7)

    def noisy(x: np.ndarray) -> np.ndarray:
        if not noise:
            return x
        return np.clip(x + noise * rng.standard_normal(x.shape), 0.0, 1.0).astype(np.float32)

    s = Session(spec, ds, model, noisy(ds.x_train), ds.x_train, noisy(ds.x_test), ds.x_test)
    s.info.update(noise=noise, latent_index=len(enc) + (1 if len(shape) > 1 else 0))
    return s


def build_transformer(spec: RunSpec, ds: Any) -> Session:
    """Token + position embedding, causal transformer blocks, softmax over the vocabulary."""
    m, L = spec.model, get_layer_class
    t = ds.input_shape[0]
    vocab = int(ds.num_classes)
    dim = int(m.get("embed_dim", 32))
    heads = int(m.get("num_heads", 2))
    layers: list[Any] = [Input((t,)), L("Embedding")(vocab, dim), L("PositionalEmbedding")(t, dim)]
    for _ in range(int(m.get("blocks", 1))):
        layers.append(L("TransformerBlock")(heads, int(m.get("key_dim", dim // heads)),
                                            int(m.get("ff_dim", 4 * dim)), causal=True))
    layers.append(L("LayerNormalization")())
    layers.append(L("Dense")(vocab, activation="softmax", name="output"))
    model = Sequential(layers, name=spec.name, backend=spec.train.backend, seed=spec.train.seed)
    compile_supervised(spec, model, ds)
    model.build()
    return Session(spec, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def build_transfer(spec: RunSpec, ds: Any) -> Session:
    """Pretrain a CNN on one labelling, freeze its base, fine-tune a new head on another."""
    from nntui.data import load_dataset

    m = spec.model
    src = dict(m.get("pretrain_dataset", {"name": ds.name, "labelling": "shape"}))
    src_ds = load_dataset(src.pop("name"), seed=spec.train.seed + 1, **src)
    base_spec = spec.with_train(epochs=int(m.get("pretrain_epochs", 3)))
    from dataclasses import replace

    base = _build_supervised(replace(base_spec, architecture="cnn"), src_ds)
    base.trainer(snapshot_every=0, on_divergence="raise").run()
    frozen = base.model.layers[:-1]
    for layer in frozen:
        layer.trainable = False
    model = Sequential([Input(ds.input_shape)] + frozen + _head(spec, ds), name=spec.name,
                       backend=spec.train.backend, seed=spec.train.seed)
    compile_supervised(spec, model, ds)
    model.build()
    before = model.evaluate_arrays(ds.x_test, ds.y_test).get("accuracy", float("nan"))
    s = Session(spec, ds, model, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    s.info.update(pretrain_accuracy=base.model.evaluate_arrays(
        src_ds.x_test, src_ds.y_test).get("accuracy"), accuracy_before=before,
        frozen=[ly.name for ly in frozen])
    return s


BUILDERS: dict[str, Callable[[RunSpec, Any], Session]] = {
    "perceptron": build_perceptron,
    "gan": build_gan,
    "autoencoder": build_autoencoder,
    "transformer": build_transformer,
    "transfer": build_transfer,
}
