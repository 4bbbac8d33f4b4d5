"""The generative adversarial network: a generator G and a discriminator D in turn.

Its panel shows generated samples against the real data (a scatter with D's
opinion over the plane for 2-D data, a grid of images otherwise), the D and G
losses, and D(x) against D(G(z)).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.architectures import fields as f
from nntui.architectures.base import Architecture, Session
from nntui.architectures.building import make_optimizer, sequential
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.engine.gan import GAN
from nntui.engine.layers import get_layer_class
from nntui.engine.learner import Learner
from nntui.engine.mode_coverage import ModeCoverage
from nntui.engine.model import Input
from nntui.engine.optimizers import Adam
from nntui.errors import ConfigError
from nntui.panel_data.generative import gan_data

FIELDS = (
    f.ModelField("latent_dim", f.int_range(1, f.MAX_UNITS), 8, "latent size", "int",
                 help="size of the noise vector z the generator starts from"),
    f.ModelField("generator", f.units(0), [64, 64], "generator units", "units",
                 help="hidden layers of G, e.g. 64,64"),
    f.ModelField("discriminator", f.units(0), [64, 64], "discriminator units", "units",
                 help="hidden layers of D (leaky ReLU), e.g. 64,64"),
    f.activation_field(label="generator activation", per_layer="generator"),
    f.ModelField("label_smoothing", f.fraction("D's target for real samples is 1 − this"),
                 0.0, "label smoothing", "float",
                 help="one-sided: D learns 1 − this for real samples, so it never grows "
                      "certain and G keeps a gradient (0.1 is the usual choice)"),
    f.ModelField("minibatch_std", f.boolean, False, None, "table",
                 help="D also sees its batch's spread (a collapsed G makes look-alike "
                      "batches): ProGAN's minibatch standard deviation before D's output"),
    f.ModelField("beta_1", f.fraction("Adam's first-moment decay, below 1"), 0.9, "Adam β1",
                 "float", help="Adam's momentum for both players; GANs train steadier "
                               "with 0.5 (the DCGAN choice)"),
)


def check_fields(model: dict[str, Any]) -> None:
    if model.get("beta_1", 0.0) >= 1.0:
        raise ConfigError(f"model.beta_1 must be below 1 (Adam divides by 1 − β1^t). "
                          f"Received: {model['beta_1']!r}")
    if model.get("label_smoothing", 0.0) > 0.5:
        raise ConfigError(f"model.label_smoothing must be at most 0.5 (a real sample's "
                          f"target would fall below a fake one's). Received: "
                          f"{model['label_smoothing']!r}")


def _optimizer(spec: RunSpec) -> Any:
    opt = make_optimizer(spec)
    if isinstance(opt, Adam):
        opt.beta_1 = float(ARCHITECTURE.value(spec.model, "beta_1"))
    return opt


def build(spec: RunSpec, ds: Dataset) -> Session:
    arch, m, L = ARCHITECTURE, spec.model, get_layer_class
    latent, shape = int(arch.value(m, "latent_dim")), tuple(ds.input_shape)
    images = len(shape) > 1
    g_units = [int(u) for u in arch.value(m, "generator")]
    g_acts = f.per_layer_values(arch.value(m, "activation"), len(g_units))
    g_layers = [L("Dense")(u, activation=a, name=f"generator_dense_{i}")
                for i, (u, a) in enumerate(zip(g_units, g_acts, strict=True))]
    # images in [0, 1]; points unbounded
    g_layers.append(L("Dense")(int(np.prod(shape)), activation="sigmoid" if images else None,
                               name="generator_out"))
    if images:
        g_layers.append(L("Reshape")(shape, name="generator_reshape"))
    d_layers = [L("Flatten")(name="discriminator_flatten")] if images else []
    for i, u in enumerate(arch.value(m, "discriminator")):
        d_layers.append(L("Dense")(int(u), activation="leaky_relu",
                                   name=f"discriminator_dense_{i}"))
        if spec.train.dropout:  # a noisier D leaves G a gradient to follow
            d_layers.append(L("Dropout")(spec.train.dropout, seed=spec.train.seed + i,
                                         name=f"discriminator_dropout_{i}"))
    if arch.value(m, "minibatch_std"):
        d_layers.append(L("MinibatchStdDev")(name="discriminator_batch_spread"))
    d_layers.append(L("Dense")(1, activation="sigmoid", name="discriminator_out"))
    seed = spec.train.seed
    g = sequential(spec, [Input((latent,)), *g_layers], name="generator", seed=seed)
    d = sequential(spec, [Input(shape), *d_layers], name="discriminator", seed=seed + 1)
    gan = GAN(g, d, latent, seed=seed,
              real_target=1.0 - float(arch.value(m, "label_smoothing")))
    gan.compile(_optimizer(spec), _optimizer(spec))
    if ds.name == "gaussian":  # known modes: log how many G covers
        gan.coverage = ModeCoverage.from_labelled(ds.x_train, ds.y_train)
    return Session(spec, arch, ds, gan, ds.x_train, ds.y_train, ds.x_test, ds.y_test)


def panel_data(session: Session, model: Learner, x_val: np.ndarray, y_val: np.ndarray
               ) -> dict[str, Any]:
    return gan_data(session, model)


ARCHITECTURE = Architecture(
    name="gan", title="GAN",
    one_line="a generator and a discriminator play a game; watch modes collapse",
    input_kinds=("points2d", "image"), default_preset="gan-gaussians", fields=FIELDS,
    build=build, panel_data=panel_data, panel="gan", order=50,
    unused_train=frozenset({"loss", "metrics", "l1", "l2"}),
    units_field="generator", check_model_extra=check_fields)
ARCHITECTURES = (ARCHITECTURE,)
