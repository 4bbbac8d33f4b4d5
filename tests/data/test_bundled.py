"""The files in datasets/: reproducible from their script, loadable, and they train."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from nntui.architectures import build_session
from nntui.data.tabular import load_csv
from nntui.presets import load_preset

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


def _script():
    spec = importlib.util.spec_from_file_location("make_moons_csv",
                                                  DATASETS / "make_moons_csv.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_moons_csv_is_what_its_script_writes() -> None:
    text = (DATASETS / "moons.csv").read_text(encoding="utf-8")
    assert text == _script().moons_csv_text()


def test_moons_csv_loads_as_two_balanced_classes() -> None:
    ds = load_csv(path=str(DATASETS / "moons.csv"), target="moon")
    assert ds.task == "classification" and ds.num_classes == 2
    assert ds.input_shape == (2,) and len(ds.x_train) + len(ds.x_test) == 400
    y = np.concatenate([ds.y_train, ds.y_test])
    assert np.bincount(y).tolist() == [200, 200]


def test_moons_csv_config_reaches_its_stated_result() -> None:
    spec = load_preset(str(DATASETS / "moons-csv.toml"),
                       [f"dataset.path='{DATASETS / 'moons.csv'}'", "train.epochs=15"])
    history = build_session(spec).trainer(snapshot_every=0, on_divergence="raise").run()
    assert history.history["val_accuracy"][-1] >= spec.expect.min
