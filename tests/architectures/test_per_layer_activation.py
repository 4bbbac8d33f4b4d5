"""One activation per hidden layer: ``activation = ["relu", "tanh"]`` where the model has
several layers (MLP hidden, autoencoder encoder, GAN generator)."""

from __future__ import annotations

import pytest

from nntui.architectures import ARCHITECTURES, build_session
from nntui.errors import ConfigError
from nntui.presets import load_preset


def _activations(model: object) -> list[str]:
    out = []
    for layer in model.layers:  # type: ignore[attr-defined]
        act = getattr(layer, "activation", None)
        if type(layer).__name__ == "Dense" and act is not None:
            out.append(getattr(act, "name", str(act)))
    return out


def test_mlp_takes_one_activation_per_hidden_layer() -> None:
    spec = load_preset("mlp-xor", overrides=["model.hidden=[8, 4]",
                                              "model.activation=['tanh', 'elu']"])
    assert _activations(build_session(spec).model)[:2] == ["tanh", "elu"]


def test_autoencoder_decoder_mirrors_the_encoders_activations() -> None:
    spec = load_preset("autoencoder-shapes", overrides=[
        "model.encoder=[32, 16]", "model.activation=['tanh', 'elu']", "dataset.n_samples=64"])
    acts = _activations(build_session(spec).model)
    assert acts[:2] == ["tanh", "elu"] and acts[3:5] == ["elu", "tanh"]


def test_gan_generator_takes_one_activation_per_layer() -> None:
    spec = load_preset("gan-gaussians", overrides=["model.generator=[16, 8]",
                                                    "model.activation=['tanh', 'relu']"])
    g = build_session(spec).model.g  # type: ignore[attr-defined]
    assert _activations(g)[:2] == ["tanh", "relu"]


def test_a_list_of_the_wrong_length_names_both_fields() -> None:
    with pytest.raises(ConfigError, match=r"model.activation lists 3 values but model.hidden "
                                          r"has 2 layers"):
        load_preset("mlp-xor", overrides=["model.hidden=[8, 4]",
                                           "model.activation=['tanh', 'elu', 'relu']"])


def test_per_layer_fields_follow_a_units_field_of_their_architecture() -> None:
    follows = {a.name: f.per_layer for a in ARCHITECTURES.values() for f in a.fields
               if f.per_layer}
    assert follows == {"mlp": "hidden", "autoencoder": "encoder", "gan": "generator"}
    for name, units in follows.items():
        assert ARCHITECTURES[name].field(units).kind == "units"
