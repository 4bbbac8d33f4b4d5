"""The registry: names, options, common fields, and no UI or engine imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nntui.data
from nntui.data import DATASETS, INPUT_KINDS, TASKS, list_datasets, load_dataset, options
from nntui.errors import DatasetError

EMBEDDED = [name for name, info in DATASETS.items() if not info.needs_download]
GENERATED = [name for name in EMBEDDED if name not in ("text", "csv", "npz")]


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(DatasetError, match="unknown dataset 'spirals'; did you mean 'spiral'"):
        load_dataset("spirals")
    with pytest.raises(DatasetError, match="did you mean 'fashion_mnist'"):
        load_dataset("fashion-mnist")
    with pytest.raises(DatasetError, match="available: blobs, xor"):
        load_dataset("zzzzzz")


def test_unknown_option_suggests_the_closest() -> None:
    with pytest.raises(DatasetError, match="'moons' has no option 'nois'; did you mean 'noise'"):
        load_dataset("moons", nois=0.2)


def test_option_of_the_wrong_type_is_a_dataset_error() -> None:
    with pytest.raises(DatasetError, match="dataset 'moons': invalid option value"):
        load_dataset("moons", noise="lots")


def test_entries_are_well_formed() -> None:
    for name, info in DATASETS.items():
        assert info.name == name and info.task in TASKS and info.input_kind in INPUT_KINDS
        assert info.description and callable(info.loader)
    assert {i.name for i in list_datasets(input_kind="sequence")} == {
        "sine",
        "noisy_sine",
        "long_memory",
    }
    assert {i.name for i in DATASETS.values() if i.needs_download} == {
        "mnist",
        "fashion_mnist",
        "tinyshakespeare",
    }
    assert options("shapes")["labelling"] == "shape"


@pytest.mark.parametrize("name", GENERATED)
def test_generated_datasets_agree_with_their_entry(name: str) -> None:
    info = DATASETS[name]
    ds = load_dataset(name, seed=0, n_samples=50, data_dir="/ignored/for/generators")
    assert ds.name == name and ds.task == info.task
    assert ds.x_train.shape[1:] == ds.x_test.shape[1:] == ds.input_shape
    assert ds.n_train == 40 and ds.n_test == 10
    assert ds.x_train.dtype == (np.int64 if info.input_kind in ("text", "pairs")
                                else np.float32)
    if ds.task in ("classification", "language", "translation"):
        assert ds.y_train.dtype == np.int64 and ds.num_classes
        assert 0 <= ds.y_train.min() and ds.y_train.max() < ds.num_classes
    else:
        assert ds.y_train.dtype == np.float32 and ds.y_train.ndim == 2
    again = load_dataset(name, seed=0, n_samples=50)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    np.testing.assert_array_equal(ds.y_test, again.y_test)


def test_data_modules_import_no_ui_and_no_engine() -> None:
    """Checked in the source: ``import nntui`` itself loads the engine for the Keras API."""
    folder = Path(nntui.data.__file__).parent
    for file in folder.glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in ("textual", "rich"), (file.name, name)
                assert not name.startswith("nntui.engine"), (file.name, name)


def test_loading_data_pulls_in_no_ui() -> None:
    code = (
        "import sys; from nntui.data import load_dataset; load_dataset('shapes', n_samples=10); "
        "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
