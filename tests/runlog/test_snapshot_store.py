"""Snapshots in the run folder: stored exactly, appended safely, kept under a budget."""

from __future__ import annotations

import errno
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nntui.engine import events as ev
from nntui.errors import CheckpointError
from nntui.runlog import kept_files
from nntui.runlog.kept_files import KeptFiles, KeptIndex
from nntui.runlog.snapshot_codec import decode, encode
from nntui.runlog.snapshot_store import SnapshotReader, SnapshotWriter, read_snapshot


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` equal in value *and* type, arrays in dtype and shape (NaN == NaN)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, where


def same_event(a: ev.SnapshotTaken, b: ev.SnapshotTaken) -> None:
    assert (a.step, a.epoch) == (b.step, b.epoch)
    for x, y in zip(a.layers, b.layers, strict=True):
        for name in ("name", "kind", "weights", "grads", "activation", "grad_norm",
                     "dead_fraction", "trainable"):
            same(getattr(x, name), getattr(y, name), f"{x.name}.{name}")
    same(a.extras, b.extras, "extras")


def layer(seed: int, dead: float | None = 0.25) -> ev.LayerSnapshot:
    rng = np.random.default_rng(seed)
    return ev.LayerSnapshot("dense_1", "Dense",
                            {"kernel": rng.normal(size=64).astype(np.float32),
                             "bias": np.zeros(8, np.float32)},
                            {"kernel": rng.normal(size=64).astype(np.float32)},
                            rng.uniform(size=32).astype(np.float32), float("nan"), dead, False)


EXTRAS = {
    "architecture": "cnn", "kind": "boundary", "step": 40,
    "maps": [("conv2d", "Conv2D", np.ones((4, 6, 6, 2), np.float32))],
    "gates": {"gate_i": np.zeros((2, 5, 3), np.float16)},
    "heldout_accuracy": np.float32(0.9375), "heldout_size": np.int64(1600),
    "extent": (-1.5, 1.5, -2.0, 2.0), "nothing": None, "flag": True,
    "nan": float("nan"), "inf": float("-inf"), "by_class": {3: "three", (1, 2): [1, 2]},
    "tokens": np.array(["a", "bc"]), "objects": np.array([1, "x"], dtype=object),
    "$weird": {"$a": "not an array"},
}


def test_a_snapshot_comes_back_with_every_value_and_type() -> None:
    event = ev.SnapshotTaken(40, 2, (layer(0), layer(1, None)), EXTRAS)
    arrays, meta = encode(event)
    meta = json.loads(json.dumps(meta, allow_nan=False))  # what is stored is strict JSON
    back = decode(meta, lambda key: arrays[key])
    # an object array (pickle) is stored as the list of its values
    same_event(ev.SnapshotTaken(40, 2, event.layers, {**EXTRAS, "objects": [1, "x"]}), back)
    assert all(a.dtype != object for a in arrays.values())
    assert {k[0] for k in arrays} == {"L", "X"}  # layers and extras apart


def test_layers_load_without_the_extras(tmp_path: Path) -> None:
    event = ev.SnapshotTaken(40, 2, (layer(0),), {"maps": np.ones((4, 28, 28, 8))})
    writer = SnapshotWriter(tmp_path, 0)
    writer.put(event)
    writer.close()
    entry, = SnapshotReader(tmp_path).poll()
    loaded: list[str] = []
    with zipfile.ZipFile(tmp_path / "snapshots" / entry.file) as zf:
        meta = json.loads(zf.read("meta.json"))

        def load(key: str) -> np.ndarray:
            loaded.append(key)
            return np.load(zf.open(f"{key}.npy"), allow_pickle=False)

        thin = decode(meta, load, extras=False)
    assert thin.extras == {} and not any(k.startswith("X") for k in loaded)
    same(thin.layers[0].weights, event.layers[0].weights)


def test_an_index_line_before_its_file_is_held_back_until_the_file_is_whole(
        tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    index = folder / "index.jsonl"
    rows = [{"step": s, "epoch": 1, "file": f"{s:09d}.{s:06d}.npz", "bytes": 10}
            for s in (10, 20)]
    index.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"step": 30, "ep')
    reader = KeptIndex(folder)
    assert reader.poll(now=0.0) == []  # nothing is there yet
    (folder / rows[1]["file"]).write_bytes(b"x" * 10)
    (folder / rows[0]["file"]).write_bytes(b"x" * 4)  # arriving: not whole
    assert reader.poll(now=1.0) == []  # 20 waits for 10, in order
    (folder / rows[0]["file"]).write_bytes(b"x" * 10)
    assert [e.step for e in reader.poll(now=2.0)] == [10, 20]
    with open(index, "a") as f:  # the half line is never read; a drop is applied
        f.write('\n{"drop": ["000000010.000010.npz"]}\n')
    assert reader.poll(now=3.0) == [] and [e.step for e in reader.ready.values()] == [20]


def test_a_file_that_never_arrives_is_given_up_after_the_patience(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    (folder / "index.jsonl").write_text(
        '{"step": 1, "epoch": 1, "file": "a.npz", "bytes": 3}\n'
        '{"step": 2, "epoch": 1, "file": "b.npz", "bytes": 3}\n'
        '{"step": 3, "epoch": 1, "file": "../../etc/passwd", "bytes": 3}\n')
    (folder / "b.npz").write_bytes(b"abc")
    reader = KeptIndex(folder)
    assert reader.poll(now=0.0) == []
    assert [e.step for e in reader.poll(now=kept_files.PATIENCE + 1)] == [2]
    assert reader.skipped == 1  # and the line naming a file outside the folder is ignored


def sized(n: int) -> Any:
    return lambda f: f.write(b"\0" * n)


def test_thinning_keeps_the_run_covered_evenly_within_the_budget(tmp_path: Path) -> None:
    files = KeptFiles(tmp_path / "kept", budget=10_000)
    for step in range(10, 1010, 10):
        if files.wanted():
            files.add(step, 1, sized(1000))
    steps = [e.step for e in files.kept]
    assert files.total <= 10_000 and len(steps) >= 5
    assert steps[0] == 10 and steps[-1] > 1000 - files.stride * 10  # first and newest kept
    gaps = set(np.diff(steps[:-1]))
    assert len(gaps) == 1, steps  # evenly spaced (the newest may sit closer)
    on_disk = sorted(p.name for p in (tmp_path / "kept").glob("*.npz"))
    assert on_disk == sorted(e.file for e in files.kept)
    index = KeptIndex(tmp_path / "kept")
    index.poll()
    assert [e.step for e in index.ready.values()] == steps  # a reader sees the same


def test_a_resumed_run_drops_the_snapshots_after_its_checkpoint(tmp_path: Path) -> None:
    files = KeptFiles(tmp_path / "kept", budget=0)
    for step in (10, 20, 30, 40):
        files.add(step, 1, sized(5))
    files.close()
    again = KeptFiles(tmp_path / "kept", budget=0, resume_step=20)
    assert [e.step for e in again.kept] == [10, 20]
    assert sorted(p.name for p in (tmp_path / "kept").glob("*.npz")) == [
        e.file for e in again.kept]
    again.add(30, 1, sized(5))
    assert again.kept[-1].file != files.kept[2].file  # never the name of a dropped one


def test_a_full_disk_is_one_error_at_close_and_training_is_not_stopped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, write: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kept_files, "atomic_write", full)
    writer = SnapshotWriter(tmp_path, 0)
    writer.put(ev.SnapshotTaken(1, 1, (layer(0),)))
    with pytest.raises(CheckpointError, match="No space left on device"):
        writer.close()


def test_a_damaged_or_pickled_archive_is_refused_naming_the_file(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, 0)
    writer.put(ev.SnapshotTaken(5, 1, (layer(0),), {"a": np.arange(3)}))
    writer.close()
    entry, = SnapshotReader(tmp_path).poll()
    path = tmp_path / "snapshots" / entry.file
    data = bytearray(path.read_bytes())
    data[60:80] = b"\xff" * 20
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=entry.file):
        read_snapshot(path)
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("X0.npy", "w") as member:
            np.lib.format.write_array(member, np.array([{}], dtype=object), allow_pickle=True)
        zf.writestr("meta.json", json.dumps({"format": "nntui-snapshot/1", "step": 5,
                                             "epoch": 1, "layers": [],
                                             "extras": {"a": {"$a": "X0"}}}))
    with pytest.raises(CheckpointError, match="pickle"):
        read_snapshot(path)
