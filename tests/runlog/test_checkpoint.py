from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nntui.errors import CheckpointError
from nntui.runlog import RunLogger, load_checkpoint, save_checkpoint
from nntui.runlog import checkpoint as checkpoint_module


def arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    return {
        "layer0/kernel": rng.normal(size=(2, 16)).astype(np.float32),
        "layer0/bias": np.zeros(16, np.float32),
        "layer1/kernel": rng.normal(size=(16, 3)),
        "opt/layer0/kernel/m": rng.normal(size=(2, 16)).astype(np.float32),
        "opt/t": np.array(42, dtype=np.int64),
        "file": np.arange(3),  # np.savez's own keyword: must not clash
        "mask": np.array([True, False]),
    }


def test_round_trip_is_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(123)
    rng.normal(size=5)
    saved = arrays()
    path = save_checkpoint(
        tmp_path,
        saved,
        step=120,
        epoch=3,
        optimizer_step=118,
        rng_state=rng.bit_generator.state,
        extra={"preset": "mlp-spiral"},
    )
    assert path == tmp_path / "checkpoint.npz"
    ckpt = load_checkpoint(tmp_path)
    assert ckpt.arrays.keys() == saved.keys()
    for name, array in saved.items():
        assert ckpt.arrays[name].dtype == array.dtype
        np.testing.assert_array_equal(ckpt.arrays[name], array)
    assert (ckpt.step, ckpt.epoch, ckpt.optimizer_step) == (120, 3, 118)
    assert ckpt.extra == {"preset": "mlp-spiral"}
    restored = np.random.default_rng()
    assert ckpt.rng_state is not None
    restored.bit_generator.state = ckpt.rng_state
    np.testing.assert_array_equal(restored.normal(size=4), rng.normal(size=4))


def test_sidecar_json_describes_the_checkpoint(tmp_path: Path) -> None:
    save_checkpoint(tmp_path, {"w": np.ones((2, 3), np.float32)}, step=5, epoch=1)
    meta = json.loads((tmp_path / "checkpoint.json").read_text())
    assert (meta["step"], meta["epoch"], meta["optimizer_step"]) == (5, 1, 5)
    assert meta["rng_state"] is None
    assert meta["arrays"] == {"w": {"shape": [2, 3], "dtype": "<f4"}}


def test_plain_np_load_reads_it_without_pickle(tmp_path: Path) -> None:
    save_checkpoint(tmp_path, arrays(), step=1, epoch=1)
    with np.load(tmp_path / "checkpoint.npz", allow_pickle=False) as data:
        assert "layer0/kernel" in data.files and "__meta__" in data.files


def test_logger_saves_into_its_run_folder(tmp_path: Path) -> None:
    with RunLogger(tmp_path, tensorboard=False) as log:
        log.save_checkpoint({"w": np.ones(2)}, step=2, epoch=1, optimizer_step=2)
    assert load_checkpoint(tmp_path / "checkpoint.npz").step == 2


def test_missing_checkpoint_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="checkpoint not found: .*checkpoint.npz"):
        load_checkpoint(tmp_path)


@pytest.mark.parametrize("keep", [0, 10, 100, 0.5, 0.9, -1])
def test_truncated_checkpoint_raises(tmp_path: Path, keep: float) -> None:
    path = save_checkpoint(tmp_path, arrays(), step=1, epoch=1)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep])
    with pytest.raises(CheckpointError, match="checkpoint.npz") as info:
        load_checkpoint(tmp_path)
    assert "\n" not in str(info.value)


def test_random_bytes_checkpoint_raises(tmp_path: Path) -> None:
    (tmp_path / "checkpoint.npz").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(CheckpointError, match="checkpoint.npz"):
        load_checkpoint(tmp_path)


def test_flipped_array_byte_fails_the_crc(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path, {"w": np.zeros(1000)}, step=1, epoch=1)
    data = bytearray(path.read_bytes())
    data[data.index(b"\x00" * 64) + 32] ^= 0xFF  # inside w's zeros
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint(tmp_path)


def test_single_npy_or_foreign_npz_is_rejected(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.ones(3))
    (tmp_path / "a.npy").rename(tmp_path / "checkpoint.npz")
    with pytest.raises(CheckpointError, match="not a .npz archive"):
        load_checkpoint(tmp_path)
    np.savez(tmp_path / "other.npz", w=np.ones(3))
    with pytest.raises(CheckpointError, match="no metadata"):
        load_checkpoint(tmp_path / "other.npz")


def test_failed_save_keeps_the_last_good_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_checkpoint(tmp_path, {"w": np.ones(3)}, step=1, epoch=1)

    def disk_full(f: object, arrays: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint_module, "_write_npz", disk_full)
    with pytest.raises(CheckpointError, match="No space left"):
        save_checkpoint(tmp_path, {"w": np.zeros(3)}, step=2, epoch=1)
    assert load_checkpoint(tmp_path).step == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.json", "checkpoint.npz"]


def test_object_arrays_and_bad_metadata_are_refused(tmp_path: Path) -> None:
    save_checkpoint(tmp_path, {"w": np.ones(3)}, step=1, epoch=1)
    with pytest.raises(CheckpointError, match="dtype object"):
        save_checkpoint(tmp_path, {"w": np.array([{}, 1], dtype=object)}, step=2, epoch=1)
    with pytest.raises(CheckpointError, match="not JSON"):
        save_checkpoint(tmp_path, {"w": np.ones(3)}, step=2, epoch=1, extra={"f": object()})
    with pytest.raises(CheckpointError, match="bad array name"):
        save_checkpoint(tmp_path, {"__meta__": np.ones(3)}, step=2, epoch=1)
    assert load_checkpoint(tmp_path).step == 1


def _load_or_checkpoint_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.npz"
        path.write_bytes(data)
        try:
            ckpt = load_checkpoint(path)
        except CheckpointError as exc:
            assert "checkpoint.npz" in str(exc)
        else:
            assert isinstance(ckpt.step, int)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_load_or_raise_checkpoint_error(data: bytes) -> None:
    _load_or_checkpoint_error(data)


_VALID: list[bytes] = []


def _valid_checkpoint() -> bytes:
    if not _VALID:
        with tempfile.TemporaryDirectory() as folder:
            path = save_checkpoint(folder, {"k": np.arange(6.0).reshape(2, 3)}, step=1, epoch=1)
            _VALID.append(path.read_bytes())
    return _VALID[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_valid_checkpoint_loads_or_raises_checkpoint_error(data: st.DataObject) -> None:
    blob = bytearray(_valid_checkpoint())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    _load_or_checkpoint_error(bytes(blob[:cut]))
