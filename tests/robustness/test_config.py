"""Every field of a preset, a TOML file or a --set is validated before anything is built."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.architectures import ARCHITECTURES, build_session
from nntui.data import DATASETS
from nntui.errors import ConfigError, DatasetError, ShapeError
from nntui.presets import apply_override, load_preset, spec_from_dict
from tests.robustness.helpers import assert_one_line_error, run_cli


def _d(arch: str, dataset: object, **sections: object) -> dict:
    return {"architecture": arch, "dataset": dataset, **sections}


@pytest.mark.parametrize("data,match", [
    (_d("mlp", "spiral", model={"hidden": ["a"]}),
     r"model.hidden must be a list .*Received: \['a'\]"),
    (_d("mlp", "spiral", model={"hidden": [-3]}), r"model.hidden .*from 1 to 4096.*\[-3\]"),
    (_d("mlp", "spiral", model={"hidden": 5}), r"model.hidden must be a list.*Received: 5"),
    (_d("mlp", "spiral", model={"hidden": [2.5]}), r"model.hidden"),
    (_d("mlp", "spiral", model={"hidden": [True]}), r"model.hidden"),
    (_d("mlp", "spiral", model={"hidden": [10**9]}), r"model.hidden"),
    (_d("mlp", "spiral", model={"activation": "relux"}), r"model.activation.*Did you mean 'relu'"),
    (_d("mlp", "spiral", model={"hiden": [3]}),
     r"model.hiden is not a setting of the mlp.*'hidden'"),
    (_d("gan", "gaussian", model={"hidden": [3]}), r"model.hidden is not a setting of the gan.*"
                                                   r"generator"),
    (_d("perceptron", "blobs", model={"hidden": [3]}), r"leave \[model\] empty"),
    (_d("cnn", "shapes", model={"kernel_size": "a"}), r"model.kernel_size must be a whole number"),
    (_d("cnn", "shapes", model={"kernel_size": 0}), r"model.kernel_size .*Received: 0"),
    (_d("cnn", "shapes", model={"padding": "full"}), r"model.padding must be 'valid' or 'same'"),
    (_d("cnn", "shapes", model={"conv": "8"}), r"model.conv must be a list"),
    (_d("lstm", "sine", model={"hidden": []}), r"model.hidden must be a list of 1-16"),
    (_d("transformer", "addition", model={"num_heads": 0}), r"model.num_heads .*Received: 0"),
    (_d("transformer", "addition", model={"num_heads": 64}), r"num_heads must be at most "
                                                              r"model.embed_dim"),
    (_d("transformer", "addition", model={"blocks": -1}), r"model.blocks"),
    (_d("autoencoder", "shapes", model={"noise": "a"}), r"model.noise must be a number"),
    (_d("autoencoder", "shapes", model={"latent_dim": 0}), r"model.latent_dim"),
    (_d("transfer", "shapes", model={"pretrain_dataset": {"name": "spiral"}}),
     r"model.pretrain_dataset.name must be an image dataset"),
    (_d("mlp", "spiral", model={"layers": [3]}), r"model.layers must be a non-empty list"),
    (_d("mlp", {"name": "spiral", "foo": 1}), r"dataset.foo is not an option of dataset 'spiral'"),
    (_d("mlp", {"name": "spiral", "nois": 1}), r"Did you mean 'noise'"),
    (_d("mlp", {"name": "spirall"}), r"dataset.name must be one of .*Did you mean 'spiral'"),
    (_d("mlp", {"name": 3}), r"dataset.name is required"),
    (_d("mlp", {"name": "csv", "path": 3}), r"dataset.path must be a file or folder path"),
    (_d("mlp", "spiral", train={"metrics": [1]}), r"train.metrics must be a list of metric names"),
    (_d("mlp", "spiral", train={"backend": {}}), r"train.backend must be one of"),
    (_d("mlp", "spiral", train={"learning_rate": float("nan")}), r"train.learning_rate"),
    (_d("mlp", "spiral", train={"seed": 2**70}), r"train.seed must be <= 4294967295"),
    (_d("mlp", "spiral", train={"epochs": True}), r"train.epochs must be a whole number"),
    (_d("mlp", "spiral", expect={"min": "x"}), r"expect.min must be a number"),
    (_d("mlp", "spiral", expect={"foo": 1}), r"expect.foo is not allowed"),
    (_d(["mlp"], "spiral"), r"architecture must be one of"),
    ({**_d("mlp", "spiral"), "name": [1]}, r"name must be a string"),
])
def test_bad_field_is_a_config_error_naming_field_and_value(data: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        spec_from_dict(data)


@pytest.mark.parametrize("options,match", [
    ({"n_samples": "many"}, r"n_samples must be an integer"),
    ({"noise": "x"}, r"noise must be a finite number. Received: 'x'"),
    ({"num_classes": 10**9}, r"num_classes must be an integer <= 450"),  # 900 samples
    ({"n_samples": 10**12}, r"n_samples must be an integer <= 1000000"),
    ({"test_fraction": 1.5}, r"test_fraction must be a number between 0 and 1"),
])
def test_bad_dataset_option_values_are_dataset_errors_not_crashes(options, match) -> None:
    spec = spec_from_dict(_d("mlp", {"name": "spiral", **options}))
    with pytest.raises(DatasetError, match=match):
        build_session(spec)


def _incompatible() -> list[tuple[str, str]]:
    return [(arch, name) for arch, info in ARCHITECTURES.items() for name, ds in DATASETS.items()
            if ds.input_kind not in info.input_kinds and name not in ("csv", "npz")]


@pytest.mark.parametrize("arch,dataset", _incompatible())
def test_every_architecture_refuses_data_of_a_kind_it_cannot_take(arch, dataset) -> None:
    spec = spec_from_dict(_d(arch, dataset))
    with pytest.raises(ConfigError, match=rf"cannot learn from dataset '{dataset}': it takes "):
        build_session(spec)  # before loading anything: downloads are never started


def test_perceptron_refuses_more_than_two_classes() -> None:
    with pytest.raises(ConfigError, match=r"Perceptron cannot learn from dataset 'spiral'.*3 "
                                          r"classes"):
        build_session(spec_from_dict(_d("perceptron", "spiral")))


def test_file_datasets_are_checked_by_the_shape_they_hold(tmp_path) -> None:
    images = tmp_path / "img.npz"
    rng = np.random.default_rng(0)
    np.savez(images, x=rng.random((40, 8, 8, 1)).astype(np.float32), y=np.arange(40) % 2)
    with pytest.raises(ConfigError, match=r"LSTM cannot learn from dataset 'npz'.*image data"):
        build_session(spec_from_dict(_d("lstm", {"name": "npz", "path": str(images)})))
    session = build_session(spec_from_dict(_d("cnn", {"name": "npz", "path": str(images)},
                                              model={"conv": [2]})))
    assert session.model.input_shape == (8, 8, 1)
    table = tmp_path / "t.csv"
    table.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    with pytest.raises(ConfigError, match=r"CNN cannot learn from dataset 'csv'.*vector data"):
        build_session(spec_from_dict(_d("cnn", {"name": "csv", "path": str(table)})))


def test_convolutions_that_shrink_the_image_below_one_pixel_say_so() -> None:
    spec = spec_from_dict(_d("cnn", "shapes", model={"conv": [4, 4, 4, 4, 4]}))
    with pytest.raises(ShapeError, match=r"larger than the valid-padded input"):
        build_session(spec)


@pytest.mark.parametrize("item,match", [
    ("model.hidden=[64, \"a\"]", r"model.hidden must be a list"),
    ("model.hidden=-1", r"model.hidden must be a list"),
    ("train.epochs=ten", r"train.epochs must be a whole number. Received: 'ten'"),
    ("dataset.noise=[1, 2", r"noise must be a finite number"),
    ("train.learning_rate=inf", r"train.learning_rate must be > 0.0 and <= 100.0"),
    ("train.batch_size=0", r"train.batch_size must be >= 1"),
    ("dataset.name.x=1", r"'name' is not a table"),
    ("=3", r"--set expects key=value"),
    ("model.color=red", r"model.color is not a setting of the mlp architecture"),
])
def test_bad_set_through_the_cli_is_one_line_with_exit_2(item, match, capsys) -> None:
    code, _, err = run_cli(["train", "mlp-spiral", "--set", item, "--quiet"], capsys)
    assert_one_line_error(code, err, match)


def test_a_good_set_still_works() -> None:
    spec = load_preset("mlp-spiral", ["model.hidden=[8]", "epochs=2", "dataset.noise=0.1"])
    assert spec.model["hidden"] == [8] and spec.train.epochs == 2
    data: dict = {}
    apply_override(data, "train.learning_rate=0.5")
    assert data == {"train": {"learning_rate": 0.5}}


def test_every_preset_still_validates() -> None:
    from nntui.presets import preset_paths

    names = list(preset_paths())
    assert names
    for name in names:
        spec = load_preset(name)
        assert spec.name == name and spec.architecture in ARCHITECTURES
        assert spec_from_dict(spec.to_dict()) == spec
