"""The autoencoder: a dense encoder to a small code and a decoder back; with
``model.noise`` > 0 it is a denoising autoencoder (noisy inputs, clean targets).

Its panel shows inputs beside reconstructions, the 2-D latent plane coloured by
class, and the reconstruction-error histogram (anomaly scores).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import make_optimizer, sequential
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.layers import get_layer_class
from nntui.engine.learner import Learner
from nntui.engine.model import Input
from nntui.panel_data.generative import autoencoder_data

FIELDS = (
    f.ModelField("encoder", f.units(0), [128, 32], "encoder units", "units",
                 help="encoder layers; the decoder mirrors them, e.g. 128,32"),
    f.ModelField("latent_dim", f.int_range(1, f.MAX_UNITS), 2, "latent size", "int",
                 help="size of the code (2 draws the latent plane directly)"),
    f.activation_field(per_layer="encoder"),
    f.ModelField("noise", f.fraction("the noise's std"), 0.0, "input noise", "float",
                 help="std of the Gaussian noise added to inputs (> 0: denoising)"),
)


def build(spec: RunSpec, ds: Dataset) -> Session:
    arch, m, L = ARCHITECTURE, spec.model, get_layer_class
    shape = tuple(ds.input_shape)
    enc = [int(u) for u in arch.value(m, "encoder")]
    acts = f.per_layer_values(arch.value(m, "activation"), len(enc))  # the decoder mirrors
    flat = [L("Flatten")()] if len(shape) > 1 else []
    layers: list[Any] = [Input(shape), *flat]
    layers += [L("Dense")(u, activation=a) for u, a in zip(enc, acts, strict=True)]
    layers.append(L("Dense")(int(arch.value(m, "latent_dim")), name="latent"))
    layers += [L("Dense")(u, activation=a) for u, a in zip(enc[::-1], acts[::-1], strict=True)]
    layers.append(L("Dense")(int(np.prod(shape)), activation="sigmoid"))
    if len(shape) > 1:
        layers.append(L("Reshape")(shape))
    model = sequential(spec, layers)
    model.compile(optimizer=make_optimizer(spec),
                  loss=spec.train.loss if spec.train.loss != "auto" else "mse")
    noise = float(arch.value(m, "noise"))
    rng = np.random.default_rng(spec.train.seed + 7)

    def noisy(x: np.ndarray) -> np.ndarray:
        if not noise:
            return x
        return np.clip(x + noise * rng.standard_normal(x.shape), 0.0, 1.0).astype(np.float32)

    s = Session(spec, arch, ds, model, noisy(ds.x_train), ds.x_train, noisy(ds.x_test),
                ds.x_test)
    s.info.update(noise=noise, latent_index=len(enc) + len(flat))
    return s


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return autoencoder_data(session, model, x_val, y_val)


ARCHITECTURE = Architecture(
    name="autoencoder", title="Autoencoder",
    one_line="compress to a small code and reconstruct; denoise; find anomalies",
    input_kinds=("image", "vector"), default_preset="autoencoder-shapes", fields=FIELDS,
    build=build, panel_data=panel_data, panel="autoencoder", order=60,
    unused_train=frozenset({"metrics", "l1", "l2", "dropout"}), units_field="encoder")
ARCHITECTURES = (ARCHITECTURE,)
