"""Every registered architecture has each part, and the parts agree with each other."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nntui.architectures import ARCHITECTURES, Architecture, build_session, get_architecture
from nntui.architectures.base import TRAIN_KEYS
from nntui.architectures.spec import TrainSpec
from nntui.data import DATASETS
from nntui.errors import ConfigError
from nntui.presets import load_preset, preset_paths, read_toml, spec_from_dict

TINY = ["dataset.n_samples=120", "train.epochs=1", "train.batch_size=32"]


def test_the_course_architectures_are_registered_in_course_order() -> None:
    names = list(ARCHITECTURES)
    course = ["perceptron", "mlp", "cnn", "rnn", "lstm", "gru", "gan", "autoencoder",
              "transformer", "transfer"]
    assert [n for n in names if n in course] == course


@pytest.mark.parametrize("arch", list(ARCHITECTURES.values()), ids=list(ARCHITECTURES))
def test_every_architecture_has_each_part(arch: Architecture) -> None:
    assert ARCHITECTURES[arch.name] is arch and get_architecture(arch.name) is arch
    assert arch.title and arch.one_line and arch.panel
    assert callable(arch.build) and callable(arch.panel_data)
    assert set(arch.input_kinds) <= {d.input_kind for d in DATASETS.values()}
    assert arch.unused_train <= set(TRAIN_KEYS) == set(TrainSpec.__dataclass_fields__)
    preset = read_toml(preset_paths()[arch.default_preset])
    assert preset["architecture"] == arch.name
    names = [f.name for f in arch.fields]
    assert len(names) == len(set(names))
    assert arch.units_field is None or arch.field(arch.units_field).kind == "units"
    for f in arch.fields:
        if f.default is not None:  # a default passes its own check
            f.check(f"model.{f.name}", f.default)


@pytest.mark.parametrize("arch", list(ARCHITECTURES.values()), ids=list(ARCHITECTURES))
def test_every_field_refuses_a_bad_value_naming_its_key(arch: Architecture) -> None:
    for f in arch.fields:
        with pytest.raises(ConfigError, match=rf"model\.{f.name}"):
            arch.check_model({f.name: object()})
    with pytest.raises(ConfigError, match="is not a setting of the"):
        arch.check_model({"no_such_key": 1})


def test_every_preset_names_a_registered_architecture_with_a_compatible_dataset() -> None:
    from nntui.architectures import compatible_datasets

    for name, path in preset_paths().items():
        d = read_toml(path)
        arch = get_architecture(d["architecture"])
        assert d["dataset"]["name"] in compatible_datasets(arch.name), name


@pytest.mark.parametrize("name", ["perceptron-blobs", "mlp-xor", "cnn-shapes", "lstm-sine",
                                  "gan-gaussians", "autoencoder-shapes"])
def test_a_built_session_carries_its_architecture_and_feeds_its_panel(name: str) -> None:
    session = build_session(load_preset(name, TINY))
    assert session.architecture is ARCHITECTURES[session.spec.architecture]
    x_val = session.x_val if session.x_val is not None else session.x_train
    y_val = session.y_val if session.y_val is not None else session.y_train
    extras = session.architecture.panel_data(session, session.model, x_val, y_val)
    assert extras, "the panel would have nothing to draw"


def test_defaults_fill_what_a_config_leaves_out() -> None:
    session = build_session(spec_from_dict({"architecture": "mlp", "dataset": "xor",
                                            "train": {"epochs": 1}}))
    default = ARCHITECTURES["mlp"].field("hidden").default
    assert default == [32]
    assert [(ly.name, ly.units) for ly in session.model.layers] == [("dense", 32), ("output", 2)]


def test_a_setting_the_architecture_does_not_read_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"train\.l2 has no effect on the perceptron"):
        spec_from_dict({"architecture": "perceptron", "dataset": "blobs",
                        "train": {"l2": 0.01}})
    with pytest.raises(ConfigError, match=r"train\.l2 has no effect on the gan"):
        spec_from_dict({"architecture": "gan", "dataset": "gaussian",
                        "train": {"l2": 0.5}})
    # its default value (as every written config.toml holds) is fine
    spec_from_dict({"architecture": "perceptron", "dataset": "blobs",
                    "train": dataclasses.asdict(TrainSpec()) | {"metrics": ["auto"]}})


def test_validation_split_sets_the_held_out_share() -> None:
    def sizes(split: float) -> tuple[int, int]:
        s = build_session(load_preset("mlp-xor", [*TINY, f"train.validation_split={split}"]))
        return len(s.x_train), 0 if s.x_val is None else len(s.x_val)

    assert sizes(0.25) == (90, 30)
    assert sizes(0.5) == (60, 60)
    assert sizes(0.0) == (120, 0)  # no validation: every sample trains


def test_no_validation_means_no_val_rows() -> None:
    session = build_session(load_preset("mlp-xor", [*TINY, "train.validation_split=0"]))
    history = session.trainer(snapshot_every=0, on_divergence="raise").run()
    assert history.history and not any(k.startswith("val_") for k in history.history)


def test_layer_names_restart_in_every_model() -> None:
    for _ in range(3):
        session = build_session(load_preset("mlp-spiral", TINY))
    assert [ly.name for ly in session.model.layers] == ["dense", "dense_1", "output"]


def test_gan_layers_say_which_network_they_belong_to() -> None:
    session = build_session(load_preset("gan-gaussians", TINY))
    names = [ly.name for ly in session.model.layers]
    assert all(n.startswith(("generator_", "discriminator_")) for n in names), names
    assert np.isfinite(session.model.train_step(*next(session.model.batches(
        session.x_train, session.y_train, 16)))["loss"])
