"""Checkpoints: named NumPy arrays + metadata in ``checkpoint.npz``.

The archive is a plain ``.npz`` (one ``<name>.npy`` member per array, e.g.
``layer0/kernel``, ``opt/layer0/kernel/m``) plus a ``__meta__`` member holding the
metadata as UTF-8 JSON bytes, so the ``.npz`` alone is the source of truth.
``checkpoint.json`` repeats the metadata (and the array shapes) for people and
scripts; it is written after the archive and never read back.

Both files are written atomically (temp file + ``os.replace``): a save that fails
or is killed leaves the previous checkpoint as it was. Loading never unpickles.

Example:
    >>> save_checkpoint(run, {"layer0/kernel": w}, step=120, epoch=3)  # doctest: +SKIP
    >>> ckpt = load_checkpoint(run)                                    # doctest: +SKIP
    >>> ckpt.arrays["layer0/kernel"].shape, ckpt.step                  # doctest: +SKIP
    ((2, 16), 120)
"""

from __future__ import annotations

import json
import lzma
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from nntui.errors import CheckpointError
from nntui.runlog.files import atomic_write
from nntui.runlog.rundir import CHECKPOINT_JSON, CHECKPOINT_NPZ

META_KEY = "__meta__"
FORMAT = "nntui-checkpoint/1"

# What np.load / zipfile raise on damaged archives. Listed, not `Exception`, so a
# bug in this module still surfaces as itself.
_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    MemoryError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
)


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint.

    Attributes:
        arrays: named arrays, e.g. ``{"layer0/kernel": (2, 16) float32, ...}``.
        step: global step the weights are from.
        epoch: epoch the weights are from.
        optimizer_step: the optimizer's own step counter (Adam's ``t``).
        rng_state: ``Generator.bit_generator.state`` when one was saved.
        extra: any other JSON metadata given to :func:`save_checkpoint`.
    """

    arrays: dict[str, np.ndarray]
    step: int
    epoch: int
    optimizer_step: int
    rng_state: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(
    directory: str | Path,
    arrays: Mapping[str, np.ndarray],
    *,
    step: int,
    epoch: int,
    optimizer_step: int | None = None,
    rng_state: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``directory/checkpoint.npz`` and ``checkpoint.json``; return the ``.npz`` path.

    Args:
        directory: the run folder (must exist).
        arrays: named arrays; names are free-form strings (``"layer0/kernel"``).
        step: global step.
        epoch: epoch.
        optimizer_step: the optimizer's step counter (defaults to ``step``).
        rng_state: e.g. ``rng.bit_generator.state``; restore with
            ``rng.bit_generator.state = ckpt.rng_state``.
        extra: more JSON-serialisable metadata.

    Raises:
        CheckpointError: an array cannot be stored without pickle, the metadata is
            not JSON, or the file cannot be written. The previous checkpoint is kept.
    """
    directory = Path(directory)
    npz_path = directory / CHECKPOINT_NPZ
    meta: dict[str, Any] = {
        "format": FORMAT,
        "step": int(step),
        "epoch": int(epoch),
        "optimizer_step": int(step if optimizer_step is None else optimizer_step),
        "rng_state": None if rng_state is None else dict(rng_state),
        "extra": dict(extra or {}),
    }
    checked = _checked_arrays(arrays, npz_path)
    try:
        meta_bytes = json.dumps(meta, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"checkpoint metadata for {npz_path} is not JSON: {exc}") from exc
    shapes = {k: {"shape": list(a.shape), "dtype": a.dtype.str} for k, a in checked.items()}
    sidecar = json.dumps({**meta, "arrays": shapes}, indent=2).encode("utf-8")
    checked[META_KEY] = np.frombuffer(meta_bytes, dtype=np.uint8)
    try:
        atomic_write(npz_path, lambda f: _write_npz(f, checked))
        atomic_write(directory / CHECKPOINT_JSON, lambda f: f.write(sidecar))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot write checkpoint {npz_path}: {exc}") from exc
    return npz_path


def _checked_arrays(arrays: Mapping[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    checked: dict[str, np.ndarray] = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not name or name == META_KEY:
            raise CheckpointError(f"bad array name for {path}. Received: name={name!r}")
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise CheckpointError(
                f"array {name!r} for {path} has dtype object, which needs pickle; "
                "store numbers only"
            )
        checked[name] = array
    return checked


def _write_npz(f: IO[bytes], arrays: Mapping[str, np.ndarray]) -> None:
    # Like np.savez, but any name works (np.savez's own keywords `file` and
    # `allow_pickle` would clash with array names).
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(f"{name}.npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Load a checkpoint from a run folder or from a ``checkpoint.npz`` path.

    Raises:
        CheckpointError: the file is missing, truncated, corrupt, or not an nntui
            checkpoint (the message names the file).
    """
    path = Path(path)
    npz_path = path / CHECKPOINT_NPZ if path.is_dir() else path
    if not npz_path.is_file():
        raise CheckpointError(f"checkpoint not found: {npz_path}")
    try:
        arrays = _read_npz(npz_path)
    except _READ_ERRORS as exc:
        raise CheckpointError(f"checkpoint {npz_path} is corrupt or truncated: {exc}") from exc
    meta = _parse_meta(arrays.pop(META_KEY, None), npz_path)
    return Checkpoint(
        arrays=arrays,
        step=meta["step"],
        epoch=meta["epoch"],
        optimizer_step=meta["optimizer_step"],
        rng_state=meta["rng_state"],
        extra=meta["extra"],
    )


def _read_npz(npz_path: Path) -> dict[str, np.ndarray]:
    loaded = np.load(npz_path, allow_pickle=False)
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise CheckpointError(f"checkpoint {npz_path} is a single .npy array, not an .npz archive")
    with loaded:
        # Reading every member now also checks every member's CRC.
        return {name: loaded[name] for name in loaded.files}


def _parse_meta(raw: np.ndarray | None, npz_path: Path) -> dict[str, Any]:
    if raw is None:
        raise CheckpointError(f"checkpoint {npz_path} has no metadata (not written by nntui?)")
    try:
        meta = json.loads(raw.astype(np.uint8, copy=False).tobytes().decode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {npz_path} has corrupt metadata: {exc}") from exc
    valid = (
        isinstance(meta, dict)
        and all(type(meta.get(k)) is int for k in ("step", "epoch", "optimizer_step"))
        and isinstance(meta.get("rng_state"), dict | None)
        and isinstance(meta.get("extra"), dict)
    )
    if not valid:
        raise CheckpointError(f"checkpoint {npz_path} has invalid metadata: {str(meta)[:200]}")
    return meta
