"""Hostile input gets one clear error, never a crash, a hang or a misdiagnosis: layer
widths, device files and FIFOs, bench options, the Python API's arguments, non-finite
data, dataset option ranges, one-class data, non-ASCII digits (issue 15, items 10-13, 17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nntui
from nntui import layers
from nntui.app import form
from nntui.architectures import build_session
from nntui.commands import bench
from nntui.data.files import read_file
from nntui.errors import ConfigError, DatasetError, NntuiError
from nntui.presets import spec_from_dict
from tests.robustness.helpers import assert_one_line_error, run_cli
from tests.robustness.kill_resume import ROOT


def _config(tmp_path: Path, body: str) -> Path:
    cfg = tmp_path / "run.toml"
    cfg.write_text(body + "\n[train]\nepochs = 1\n")
    return cfg


def _train(tmp_path: Path, body: str, capsys) -> tuple[int, str, str]:
    return run_cli(["train", str(_config(tmp_path, body)), "--quiet", "--log-dir",
                    str(tmp_path / "runs")], capsys)


# 10. sizes and files ---
def test_layer_widths_in_model_layers_have_the_limit_of_model_hidden(tmp_path, capsys) -> None:
    code, _, err = _train(tmp_path, 'architecture = "mlp"\ndataset = "xor"\n[model]\nlayers = '
                          '[{ type = "Dense", units = 100000000 }, { type = "Dense", units = 2 }]',
                          capsys)
    assert_one_line_error(code, err, r"model.layers\[0\].units must be at most 4096")


def test_a_device_file_is_refused_before_it_is_read(tmp_path, capsys) -> None:
    code, _, err = _train(tmp_path, 'architecture = "mlp"\n[dataset]\nname = "csv"\n'
                                    'path = "/dev/zero"', capsys)
    assert_one_line_error(code, err, r"/dev/zero: not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_instead_of_hanging(tmp_path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    cfg = _config(tmp_path, f'architecture = "mlp"\n[dataset]\nname = "csv"\npath = "{fifo}"')
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "nntui", "train", str(cfg), "--quiet"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "pipe.csv: not a regular file" in proc.stderr, proc.stderr


def test_reads_are_bounded(tmp_path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(DatasetError, match=r"larger than the .* GiB nntui reads"):
        read_file(big, "text file", limit=1024)


# 11. bench options ---
@pytest.mark.parametrize("argv,match", [
    (["--repeats", "0"], r"--repeats must be a whole number from 1 to 1000 .*Received: 0"),
    (["--backend", "bogus"], r"--backend must be numpy, mlx or all .* Received: 'bogus'"),
], ids=["repeats-0", "backend-bogus"])
def test_bad_bench_options_are_refused_before_measuring(argv, match, capsys, monkeypatch) -> None:
    def measured(*args, **kwargs):
        raise AssertionError("measured before the options were checked")

    monkeypatch.setattr(bench, "gemm_peak", measured)
    monkeypatch.setattr(bench, "run_bench", measured)
    code, _, err = run_cli(["bench", "--no-compare", *argv], capsys)
    assert_one_line_error(code, err, match)


# 12. the Python API ---
def _model() -> nntui.Sequential:
    m = nntui.Sequential([nntui.Input((2,)), layers.Dense(2)], seed=0)
    m.compile(optimizer="sgd", loss="mse")
    return m


X = np.zeros((4, 2), np.float32)


@pytest.mark.parametrize("call,match", [
    (lambda: nntui.Sequential(seed=-1), r"seed must be a non-negative integer.*seed=-1"),
    (lambda: nntui.Sequential(seed="x"), r"seed must be .*seed='x'"),
    (lambda: nntui.Input("abc"), r"Input shape must be .*shape='abc'"),
    (lambda: nntui.Input((-1,)), r"Input shape must be .*shape=\(-1,\)"),
    (lambda: nntui.Input((0,)), r"Input shape must be .*shape=\(0,\)"),
    (lambda: nntui.Input((10**6, 10**6)), r"1,000,000,000,000 numbers per sample"),
    (lambda: _model().fit(X, None, verbose=0), r"fit needs the targets y.*y=None"),
    (lambda: _model().set_weights(None), r"set_weights takes a list.*NoneType"),
    (lambda: _model().set_weights([np.full((2, 2), "a"), np.zeros(2)]), r"dtype <U1"),
    (lambda: _model().set_weights([np.full((2, 2), None), np.zeros(2)]), r"dtype object"),
    (lambda: _model().set_weights([np.zeros((2, 2), complex), np.zeros(2)]), r"complex128"),
    (lambda: _model().fit(X, X, validation_data=(X, X, X), verbose=0),
     r"validation_data must be a pair .*a tuple of 3"),
], ids=["seed-negative", "seed-str", "input-str", "input-negative", "input-zero", "input-huge",
        "fit-no-y", "weights-none", "weights-str", "weights-object", "weights-complex",
        "validation-triple"])
def test_the_python_api_names_the_bad_argument(call, match) -> None:
    with pytest.raises(NntuiError, match=match):
        call()


# 13. non-finite data is bad data, not divergence ---
def test_nan_in_npz_data_names_the_sample(tmp_path, capsys) -> None:
    x = np.random.default_rng(0).normal(size=(40, 3))
    x[7, 2] = np.nan
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(40) % 2)
    code, _, err = _train(tmp_path, f'architecture = "mlp"\n[dataset]\nname = "npz"\n'
                                    f'path = "{tmp_path / "d.npz"}"', capsys)
    assert_one_line_error(code, err, r"d.npz: x\[7, 2\] = nan is not a finite number")


def test_complex_npz_data_is_refused_without_a_warning(tmp_path, capsys) -> None:
    np.savez(tmp_path / "d.npz", x=np.ones((40, 3), complex), y=np.arange(40) % 2)
    code, _, err = _train(tmp_path, f'architecture = "mlp"\n[dataset]\nname = "npz"\n'
                                    f'path = "{tmp_path / "d.npz"}"', capsys)
    assert_one_line_error(code, err, r"x holds complex128 values")  # one line: no warning


def test_a_value_past_float32_in_a_csv_names_row_and_column(tmp_path, capsys) -> None:
    rows = "".join(f"{i},{i % 3},{i % 2}\n" for i in range(30))
    (tmp_path / "d.csv").write_text("a,b,y\n" + rows + "1e308,1,0\n")
    code, _, err = _train(tmp_path, f'architecture = "mlp"\n[dataset]\nname = "csv"\n'
                                    f'path = "{tmp_path / "d.csv"}"', capsys)
    assert_one_line_error(code, err, r"value '1e308' in row 32, column 'a' is beyond float32")


# 17. dataset option ranges, one class, digits the form promises ---
@pytest.mark.parametrize("options,match", [
    ({"noise": -5}, r"noise must be a number from 0 to 100 .*noise=-5"),
    ({"num_classes": 100000}, r"num_classes must be an integer <= 450"),
])
def test_generator_options_are_range_checked(options, match) -> None:
    spec = spec_from_dict({"architecture": "mlp", "dataset": {"name": "spiral", **options}})
    with pytest.raises(DatasetError, match=match):
        build_session(spec)


def test_a_one_class_csv_is_refused(tmp_path, capsys) -> None:
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{i},{i},x\n" for i in range(20)))
    code, _, err = _train(tmp_path, f'architecture = "mlp"\n[dataset]\nname = "csv"\n'
                                    f'path = "{tmp_path / "d.csv"}"', capsys)
    assert_one_line_error(code, err, r"target column 'y' holds one class only \('x'\)")


@pytest.mark.parametrize("field,text", [("epochs", "٣"), ("batch_size", "1_000"),
                                        ("learning_rate", "1_0.5"), ("learning_rate", "nan"),
                                        ("seed", "²")])
def test_launcher_numbers_are_only_what_the_message_allows(field, text) -> None:
    from nntui.architectures import ARCHITECTURES

    arch = ARCHITECTURES["mlp"]
    d = {"architecture": "mlp", "dataset": {"name": "spiral"}}
    fields, values = form.launcher_fields(arch), form.form_values(d, arch)
    with pytest.raises(ConfigError, match=rf"train.{field} must be .*Received: '{text}'"):
        form.apply_form(d, {**values, f"train.{field}": text}, fields)
    with pytest.raises(ConfigError, match="model.hidden must be whole numbers"):
        form.apply_form(d, {**values, "model.hidden": "64,٣2"}, fields)
