"""Property-based: random configs and random file bytes either work or raise NntuiError.

Never a TypeError, KeyError, IndexError, numpy error or UnicodeDecodeError: whatever a
user can put in a preset, a ``--set`` or a file becomes one clear line.
"""

from __future__ import annotations

import copy
import gzip
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nntui.architectures import ARCHITECTURES
from nntui.data import DATASETS
from nntui.errors import NntuiError
from nntui.presets import (
    TrainSpec,
    apply_override,
    load_preset,
    read_toml,
    spec_from_dict,
)

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
FOLDER = Path(tempfile.mkdtemp(prefix="nntui-props-"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.sampled_from(["relu", "adam", "sgd", "valid", "same", "spiral", "auto", "mse"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
small_units = st.lists(st.integers(-2, 70), max_size=3)

MODEL_KEYS = sorted({f.name for arch in ARCHITECTURES.values() for f in arch.fields})
TRAIN_KEYS = sorted(TrainSpec.__dataclass_fields__)
DATASET_KEYS = ["seed", "n_samples", "num_classes", "noise", "path", "digits", "timesteps",
                "block_size", "test_fraction", "labelling", "layout", "target", "task"]


def _table(keys: list[str], value: st.SearchStrategy) -> st.SearchStrategy:
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=6), value, max_size=5)


configs = st.fixed_dictionaries({
    "architecture": st.sampled_from(list(ARCHITECTURES)) | values,
    "dataset": st.one_of(st.sampled_from(list(DATASETS)), values,
                         _table(DATASET_KEYS, values).map(lambda d: {**d, "name": "spiral"})),
}, optional={
    "model": _table(MODEL_KEYS, values | small_units) | values,
    "train": _table(TRAIN_KEYS, values) | values,
    "expect": _table(["metric", "min", "max", "text"], values) | values,
    "name": values, "title": values, "description": values,
    "extra": values,
})


@SETTINGS
@given(configs)
def test_random_config_dicts_validate_or_raise_nntui_error(data: dict) -> None:
    try:
        spec = spec_from_dict(copy.deepcopy(data))
    except NntuiError:
        return
    assert spec_from_dict(spec.to_dict()) == spec  # a valid spec round-trips exactly


set_keys = st.sampled_from(
    ["train.epochs", "epochs", "train.learning_rate", "model.hidden", "model.activation",
     "dataset.noise", "dataset.name", "dataset", "architecture", "train", "model", "x.y.z",
     "train.metrics", "train.seed", "dataset.n_samples", "model.layers", "expect.min"]
) | st.text(max_size=12)
set_values = st.sampled_from(
    ["5", "-1", "0.5", "inf", "nan", "[64, 32]", "[64, \"a\"]", "\"relu\"", "relu", "true",
     "{ name = \"xor\" }", "[", "\"", "1e999", "[[1]]", "{}", ""]) | st.text(max_size=12)
set_items = st.one_of(st.builds(lambda k, v: f"{k}={v}", set_keys, set_values),
                      st.text(max_size=20))


@SETTINGS
@given(st.lists(set_items, max_size=4))
def test_random_set_strings_apply_or_raise_nntui_error(items: list[str]) -> None:
    try:
        spec = load_preset("mlp-spiral", items)
    except NntuiError as exc:
        assert_one_line(exc)
    else:
        assert spec_from_dict(spec.to_dict()) == spec
    data = {"architecture": "mlp", "dataset": {"name": "xor"}, "train": {"epochs": 1}}
    try:
        for item in items:
            apply_override(data, item)
        spec = spec_from_dict(data)
    except NntuiError as exc:
        assert_one_line(exc)
    else:
        assert spec.architecture == data["architecture"] == "mlp"


fast_specs = st.fixed_dictionaries({
    "architecture": st.sampled_from(["mlp", "gan", "autoencoder", "perceptron"]),
    "dataset": st.fixed_dictionaries({
        "name": st.sampled_from(["xor", "blobs", "spiral", "moons", "regression"]),
        "n_samples": st.integers(-1, 60) | values,
    }),
    "model": st.fixed_dictionaries({}, optional={
        "hidden": small_units, "activation": st.sampled_from(["relu", "tanh", "nope"]),
        "latent_dim": st.integers(-1, 4), "generator": small_units, "encoder": small_units}),
    "train": st.fixed_dictionaries({"epochs": st.just(1)}, optional={
        "batch_size": st.integers(-1, 100), "loss": st.sampled_from(
            ["auto", "mse", "binary_crossentropy", "categorical_crossentropy"]),
        "learning_rate": st.floats(-1, 100)}),
})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fast_specs)
def test_random_small_specs_build_and_step_or_raise_nntui_error(data: dict) -> None:
    from nntui.architectures import build_session

    try:
        session = build_session(spec_from_dict(data))
        # "raise": a diverged run ends with TrainingDiverged (an NntuiError); "pause"
        # would wait for a key forever
        trainer = session.trainer(on_divergence="raise", snapshot_every=1)
        with np.errstate(all="ignore"):
            history = trainer.run()
    except NntuiError as exc:
        assert_one_line(exc)
        return
    assert trainer.step == trainer.steps_per_epoch >= 1  # built and stepped (1 epoch)
    assert all(np.isfinite(v) for v in history.history["loss"])


def assert_one_line(exc: NntuiError) -> None:
    """The error a user sees: one non-empty line."""
    message = str(exc)
    assert message.strip() and "\n" not in message.strip(), repr(message)


def _loaders() -> dict[str, Callable[[Path], object]]:
    from nntui.data.idx import read_idx
    from nntui.data.npz import load_npz
    from nntui.data.tabular import load_csv
    from nntui.data.text import load_text
    from nntui.runlog import load_checkpoint, read_config
    from nntui.runlog.replay import read_csv_rows, read_jsonl_rows

    return {
        "idx": read_idx,
        "csv": lambda p: load_csv(path=str(p)),
        "npz": lambda p: load_npz(path=str(p)),
        "text": lambda p: load_text(path=str(p), block_size=4),
        "checkpoint": load_checkpoint,
        "toml": read_toml,
        "preset": lambda p: load_preset(str(p)),
        "config": lambda p: read_config(p.parent),
        "jsonl": read_jsonl_rows,
        "metrics_csv": read_csv_rows,
    }


LOADERS = _loaders()
FILE_NAMES = {"checkpoint": "checkpoint.npz", "config": "config.toml", "preset": "p.toml"}


def _valid_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, x=np.arange(12, dtype=np.float32).reshape(6, 2), y=np.arange(6) % 2)
    return buf.getvalue()


def _valid_idx() -> bytes:
    return gzip.compress(b"\x00\x00\x08\x03" + b"".join(
        d.to_bytes(4, "big") for d in (2, 3, 3)) + bytes(18))


SEEDS = {
    "npz": _valid_npz(), "checkpoint": _valid_npz(), "idx": _valid_idx(),
    "csv": b"a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n",
    "metrics_csv": b"kind,step,epoch,batch,elapsed,learning_rate,samples_per_second,loss\n"
                   b"step,1,1,1,0.1,0.01,100,0.5\n",
    "jsonl": b'{"kind": "step", "step": 1, "loss": 0.5}\n{"kind": "finished", "step": 1}\n',
    "text": b"hello world, hello world, hello world\n",
    "toml": b'architecture = "mlp"\ndataset = "xor"\n[train]\nepochs = 1\n',
}
SEEDS.update(preset=SEEDS["toml"], config=SEEDS["toml"])


def _damaged(seed: bytes) -> st.SearchStrategy[bytes]:
    """Truncations, byte flips and splices of a valid file (closer to real damage)."""
    n = len(seed)
    cut = st.integers(0, n).map(lambda i: seed[:i])
    flip = st.tuples(st.integers(0, max(n - 1, 0)), st.integers(1, 255)).map(
        lambda t: seed[: t[0]] + bytes([seed[t[0]] ^ t[1]]) + seed[t[0] + 1:] if n else seed)
    splice = st.tuples(st.integers(0, n), st.binary(max_size=16)).map(
        lambda t: seed[: t[0]] + t[1] + seed[t[0]:])
    return cut | flip | splice


@pytest.mark.parametrize("kind", sorted(LOADERS))
@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_or_damaged_file_bytes_load_or_raise_nntui_error(kind: str, data) -> None:
    content = data.draw(st.binary(max_size=1024) | _damaged(SEEDS.get(kind, b"")))
    folder = FOLDER / kind
    folder.mkdir(exist_ok=True)
    path = folder / FILE_NAMES.get(kind, f"file.{kind}")
    path.write_bytes(content)
    try:
        with np.errstate(all="ignore"):
            loaded = LOADERS[kind](path)
    except NntuiError as exc:
        assert_one_line(exc)
        return
    assert loaded is not None or kind == "config"  # (read_config: None when absent)
