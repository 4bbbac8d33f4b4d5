"""Property-based: a damaged checkpoint loads with its exact content or fails with the
project's error, whichever array or metadata field the damage hits."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nntui.architectures import build_session
from nntui.errors import NntuiError
from nntui.presets import load_preset
from nntui.runlog import load_checkpoint, save_checkpoint
from nntui.runlog.checkpoint import META_KEY, Checkpoint
from nntui.runlog.run_checkpoint import restore_run, save_run_checkpoint

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
SPEC = load_preset("mlp-xor", ["train.dropout=0.1", "train.epochs=2"])


def _trainer():
    return build_session(SPEC).trainer(on_divergence="raise")


def _saved() -> tuple[Path, bytes]:
    """A checkpoint taken in the middle of epoch 2 (order, sums and dropout state in it)."""
    folder = Path(tempfile.mkdtemp(prefix="nntui-ckpt-props-"))
    trainer = _trainer()
    trainer.subscribe(lambda e: trainer.stop() if getattr(e, "step", 0) == 27 else None)
    trainer.run()
    save_run_checkpoint(folder, trainer)
    return folder, (folder / "checkpoint.npz").read_bytes()


FOLDER, GOOD = _saved()
ORIGINAL = load_checkpoint(FOLDER)


def _members() -> dict[str, tuple[int, int]]:
    """Each member's byte range in the archive: local header, name and data."""
    with zipfile.ZipFile(FOLDER / "checkpoint.npz") as zf:
        infos = sorted(zf.infolist(), key=lambda i: i.header_offset)
    ends = [i.header_offset for i in infos[1:]] + [GOOD.rfind(b"PK\x01\x02")]
    return {i.filename: (i.header_offset, end) for i, end in zip(infos, ends, strict=True)}


MEMBERS = _members()


def _same(a: Checkpoint, b: Checkpoint) -> bool:
    return (a.arrays.keys() == b.arrays.keys()
            and all(a.arrays[k].dtype == b.arrays[k].dtype
                    and np.array_equal(a.arrays[k], b.arrays[k]) for k in a.arrays)
            and (a.step, a.epoch, a.batch, a.seen, a.sums, a.elapsed, a.generators)
            == (b.step, b.epoch, b.batch, b.seen, b.sums, b.elapsed, b.generators))


def _load_and_restore(folder: Path) -> tuple[Checkpoint, Any]:
    """Load and restore into a fresh run: what a resume does before it writes anything."""
    ckpt = load_checkpoint(folder)
    trainer = _trainer()
    restore_run(trainer, ckpt)
    return ckpt, trainer


def _finish_epoch(trainer: Any) -> None:
    trainer.epochs = min(trainer.epochs, max(trainer.epoch, 1))
    with np.errstate(all="ignore"):
        trainer.run()


def _load_and_continue(folder: Path) -> Checkpoint:
    """Load, restore into a fresh run and finish its epoch: the whole path a resume takes."""
    ckpt, trainer = _load_and_restore(folder)
    _finish_epoch(trainer)
    return ckpt


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    start, end = MEMBERS[draw(st.sampled_from(sorted(MEMBERS)))]
    at = draw(st.integers(start, end - 1))
    how = draw(st.sampled_from(["flip", "cut", "splice", "zero"]))
    if how == "flip":
        return GOOD[:at] + bytes([GOOD[at] ^ draw(st.integers(1, 255))]) + GOOD[at + 1:]
    if how == "cut":
        return GOOD[:at]
    if how == "zero":
        n = draw(st.integers(1, 64))
        return GOOD[:at] + bytes(min(n, len(GOOD) - at)) + GOOD[at + n:]
    return GOOD[:at] + draw(st.binary(min_size=1, max_size=16)) + GOOD[at:]


@SETTINGS
@given(damaged_bytes())
def test_damaged_bytes_of_any_array_or_the_metadata_load_exactly_or_fail_clearly(data) -> None:
    folder = Path(tempfile.mkdtemp(prefix="nntui-ckpt-bytes-"))
    (folder / "checkpoint.npz").write_bytes(data)
    try:
        ckpt = _load_and_continue(folder)
    except NntuiError:
        return
    finally:
        shutil.rmtree(folder)
    assert _same(ckpt, ORIGINAL)


dtypes = st.sampled_from(["<f4", "<f8", "<f2", "<i8", "<u1", "|b1", "<c8", ">f4"])
shapes = st.lists(st.integers(0, 5), max_size=3).map(tuple)
specials = st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 1e30, -1.0])


@st.composite
def replaced_array(draw: st.DrawFn) -> tuple[str, np.ndarray]:
    name = draw(st.sampled_from(sorted(ORIGINAL.arrays)))
    like = ORIGINAL.arrays[name]
    shape = draw(st.just(like.shape) | shapes)
    values = np.asarray(draw(st.lists(st.floats(-1e6, 1e6) | specials, min_size=1,
                                      max_size=4)), np.float64)
    with np.errstate(all="ignore"):
        array = np.resize(values, shape).astype(draw(dtypes))
    return name, array


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3), max_leaves=6)
META_FIELDS = ["step", "epoch", "optimizer_step", "batch", "seen", "sums", "elapsed",
               "generators", "rng_state", "changes", "extra"]


def _meta() -> dict:
    with np.load(FOLDER / "checkpoint.npz", allow_pickle=False) as z:
        return json.loads(z[META_KEY].tobytes())


@pytest.mark.parametrize("what", ["array", "metadata"])
@SETTINGS
@given(data=st.data())
def test_any_wrong_array_or_metadata_value_fails_with_the_projects_error(what, data) -> None:
    """Well-formed files holding a wrong value: an NntuiError, or (when the value happens to
    be a valid one) a resume that runs; never a raw exception."""
    folder = Path(tempfile.mkdtemp(prefix="nntui-ckpt-values-"))
    arrays = dict(ORIGINAL.arrays)
    meta = _meta()
    name = None
    if what == "array":
        name, array = data.draw(replaced_array())
        arrays[name] = array
    else:
        meta[data.draw(st.sampled_from(META_FIELDS))] = data.draw(json_values)
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    _write(folder, arrays)
    try:
        _, trainer = _load_and_restore(folder)
    except NntuiError:
        return
    finally:
        shutil.rmtree(folder)
    if name is not None:  # accepted: then it is an array nntui could have written there
        _assert_fits(name, arrays[name], ORIGINAL.arrays[name])
    try:
        _finish_epoch(trainer)
    except NntuiError:
        pass


def _assert_fits(name: str, got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape, name
    if got.dtype.kind == "f":
        assert np.isfinite(got).all(), name
    if name == "trainer/order":
        assert np.array_equal(np.sort(got), np.arange(len(want))), name
    elif name.endswith("opt_iterations"):
        assert got.dtype.kind in "iu" and int(got) >= 0, name
    else:  # a weight or an optimizer slot
        assert got.dtype == want.dtype, name


def _write(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like save_checkpoint, without its checks: any array and any metadata bytes."""
    with zipfile.ZipFile(folder / "checkpoint.npz", "w") as zf:
        for name, array in arrays.items():
            with zf.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def test_the_undamaged_checkpoint_round_trips_exactly(tmp_path) -> None:
    save_checkpoint(tmp_path, ORIGINAL.arrays, step=ORIGINAL.step, epoch=ORIGINAL.epoch,
                    position={"batch": ORIGINAL.batch, "seen": ORIGINAL.seen,
                              "sums": ORIGINAL.sums, "elapsed": ORIGINAL.elapsed},
                    generators=ORIGINAL.generators)
    assert _same(_load_and_continue(tmp_path), ORIGINAL)
    assert (ORIGINAL.step, ORIGINAL.epoch, ORIGINAL.batch) == (27, 2, 7)
