"""Checkpoints: named NumPy arrays + metadata in ``checkpoint.npz``.

The archive is a plain ``.npz`` (one ``<name>.npy`` member per array, e.g.
``layer0/kernel``, ``opt/layer0/kernel/m``) plus a ``__meta__`` member holding the
metadata as UTF-8 JSON bytes, so the ``.npz`` alone is the source of truth.
``checkpoint.json`` repeats the metadata (and the array shapes) for people and
scripts; it is written after the archive and never read back.

Both files are written atomically (temp file + ``os.replace``): a save that fails
or is killed leaves the previous checkpoint as it was. Loading never unpickles and
checks everything it can without the model: numeric dtypes, finite values, metadata
types and ranges (``model_state.restore_state`` checks the rest against the model).

A run's checkpoint also says where the run is, to the sample, so a resume continues
exactly (see :class:`~nntui.engine.trainer.Position`): ``batch``, ``seen``, the
epoch's metric ``sums``, ``elapsed``, the epoch's sample order as the array
``trainer/order``, and the states of every random generator (``generators``).

Example:
    >>> save_checkpoint(run, {"layer0/kernel": w}, step=120, epoch=3)  # doctest: +SKIP
    >>> ckpt = load_checkpoint(run)                                    # doctest: +SKIP
    >>> ckpt.arrays["layer0/kernel"].shape, ckpt.step                  # doctest: +SKIP
    ((2, 16), 120)
"""

from __future__ import annotations

import json
import math
import zipfile
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

ORDER_KEY = "trainer/order"
"""The array holding the interrupted epoch's sample order."""


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
        batch, seen, sums, elapsed: the position inside the epoch in progress
            (``batch`` 0: at an epoch boundary); see ``Position``.
        generators: ``bit_generator.state`` of every random generator, by name.
        changes: the config changes the run went through, oldest first, each
            ``{"step": S, "changes": {"train.learning_rate": [old, new]}}``.
        live: the changes made while it learned (learning rate, surgery, redrawn data),
            oldest first, as their ``change`` rows: a restore makes them again on the
            fresh model before loading its weights.
        callbacks: what the watching callbacks remember between epochs (EarlyStopping's
            best value and patience count, ...), by ``"EarlyStopping#0"``; their kept
            weights are the arrays ``callbacks/EarlyStopping#0/0`` ...
        learning_rates: each optimizer's learning rate when it is a plain number (it may
            have been changed while the run learned: a key, ReduceLROnPlateau), by part.
        config_learning_rate: the learning rate of the run's config, which tells a
            restore whether its new config sets another one (a fork's
            ``--set train.learning_rate``): then that one holds.
    """

    arrays: dict[str, np.ndarray]
    step: int
    epoch: int
    optimizer_step: int
    rng_state: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    batch: int = 0
    seen: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    generators: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    live: list[dict[str, Any]] = field(default_factory=list)
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    learning_rates: dict[str, float] = field(default_factory=dict)
    config_learning_rate: float | None = None


def save_checkpoint(
    directory: str | Path,
    arrays: Mapping[str, np.ndarray],
    *,
    step: int,
    epoch: int,
    optimizer_step: int | None = None,
    rng_state: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    position: Mapping[str, Any] | None = None,
    generators: Mapping[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
    live: list[dict[str, Any]] | None = None,
    callbacks: Mapping[str, dict[str, Any]] | None = None,
    learning_rates: Mapping[str, float] | None = None,
    config_learning_rate: float | None = None,
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
        position: ``batch``, ``seen``, ``sums``, ``elapsed`` of the epoch in progress.
        generators: ``{name: bit_generator.state}`` of every random generator.
        changes: the run's config changes (see :class:`Checkpoint`).
        live: the changes made while it learned (see :class:`Checkpoint`).
        callbacks, learning_rates, config_learning_rate: see :class:`Checkpoint`.

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
        **{k: v for k, v in dict(position or {}).items() if k in _POSITION},
        "generators": dict(generators or {}),
        "changes": list(changes or []),
        "live": list(live or []),
        "callbacks": dict(callbacks or {}),
        "learning_rates": dict(learning_rates or {}),
        "config_learning_rate": config_learning_rate,
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
        CheckpointError: the file is missing, not a regular file, truncated, corrupt,
            not an nntui checkpoint, or holds what no run writes (non-numeric or
            non-finite arrays, metadata of the wrong type or out of range); the message
            names the file and what is wrong.
    """
    from nntui.data.files import read_npz

    path = Path(path)
    npz_path = path / CHECKPOINT_NPZ if path.is_dir() else path
    if not npz_path.exists():
        raise CheckpointError(f"checkpoint not found: {npz_path}")
    try:
        arrays = read_npz(npz_path, "checkpoint", CheckpointError, hint="")
    except CheckpointError as exc:
        raise CheckpointError(f"checkpoint {exc}") from None
    meta = _parse_meta(arrays.pop(META_KEY, None), npz_path)
    _check_arrays(arrays, npz_path, meta)
    return Checkpoint(arrays=arrays, **meta)


_POSITION = ("batch", "seen", "sums", "elapsed")
_COUNTS = ("step", "epoch", "optimizer_step")


def _parse_meta(raw: np.ndarray | None, npz_path: Path) -> dict[str, Any]:
    if raw is None:
        raise CheckpointError(f"checkpoint {npz_path} has no metadata (not written by nntui?)")
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError(f"stored as {raw.dtype} {raw.shape}, not bytes")
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, TypeError, RecursionError) as exc:
        raise CheckpointError(f"checkpoint {npz_path} has corrupt metadata: {exc}") from None
    problem = _meta_problem(meta) if isinstance(meta, dict) else "not a JSON object"
    if problem:
        raise CheckpointError(f"checkpoint {npz_path} has invalid metadata: {problem}. "
                              f"Received: {str(meta)[:200]}")
    return {"step": meta["step"], "epoch": meta["epoch"],
            "optimizer_step": meta["optimizer_step"], "rng_state": meta["rng_state"],
            "extra": meta["extra"], "batch": meta.get("batch", 0),
            "seen": meta.get("seen", 0), "sums": dict(meta.get("sums", {})),
            "elapsed": float(meta.get("elapsed", 0.0)),
            "generators": dict(meta.get("generators", {})),
            "changes": list(meta.get("changes", [])),
            "live": list(meta.get("live", [])),
            "callbacks": dict(meta.get("callbacks", {})),
            "learning_rates": dict(meta.get("learning_rates", {})),
            "config_learning_rate": meta.get("config_learning_rate")}


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _meta_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with checkpoint metadata, or None."""
    for key in (*_COUNTS, "batch", "seen"):
        if (key in _COUNTS or key in meta) and not _count(meta.get(key)):
            return f"{key} must be a whole number >= 0"
    batch, seen = meta.get("batch", 0), meta.get("seen", 0)
    if (batch == 0) != (seen == 0) or batch > seen or (batch and not meta["epoch"]):
        return "batch and seen must both be 0 (an epoch boundary) or both positive"
    if meta["step"] < batch or meta["step"] < meta["epoch"] - (1 if batch else 0):
        return "step is smaller than the epochs and batches it says were done"
    sums, elapsed = meta.get("sums", {}), meta.get("elapsed", 0.0)
    if not isinstance(sums, dict) or not all(_number(v) for v in sums.values()):
        return "sums must be a table of finite numbers"
    if not _number(elapsed) or elapsed < 0:
        return "elapsed must be a finite number of seconds >= 0"
    gens = meta.get("generators", {})
    if not isinstance(gens, dict) or not all(isinstance(g, dict) for g in gens.values()):
        return "generators must be a table of generator states"
    if not isinstance(meta.get("rng_state"), dict | None):
        return "rng_state must be a generator state or null"
    if not isinstance(meta.get("extra"), dict):
        return "extra must be a table"
    changes = meta.get("changes", [])
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        return "changes must be a list of tables"
    live = meta.get("live", [])
    if not isinstance(live, list) or not all(
            isinstance(c, dict) and isinstance(c.get("action"), str) for c in live):
        return "live must be a list of change rows"
    callbacks = meta.get("callbacks", {})
    if not isinstance(callbacks, dict) or not all(isinstance(c, dict)
                                                  for c in callbacks.values()):
        return "callbacks must be a table of callback states"
    rates = meta.get("learning_rates", {})
    if not isinstance(rates, dict) or not all(_number(r) and r > 0 for r in rates.values()):
        return "learning_rates must be a table of positive numbers"
    config_lr = meta.get("config_learning_rate")
    if config_lr is not None and not (_number(config_lr) and config_lr > 0):
        return "config_learning_rate must be a positive number or null"
    return None


def _check_arrays(arrays: dict[str, np.ndarray], npz_path: Path, meta: dict[str, Any]) -> None:
    """Numbers only, all finite; the epoch order a 1-D index array iff mid-epoch."""
    for name, a in arrays.items():
        if a.dtype.kind not in "biuf":
            raise CheckpointError(f"checkpoint {npz_path}: array {name!r} holds {a.dtype} "
                                  "values; a checkpoint holds real numbers only")
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise CheckpointError(
                f"checkpoint {npz_path}: array {name!r} holds NaN or inf; a diverged state "
                "is never saved, so the file was damaged or not written by nntui")
    order = arrays.get(ORDER_KEY)
    if order is not None and (order.ndim != 1 or order.dtype.kind not in "iu"):
        raise CheckpointError(f"checkpoint {npz_path}: {ORDER_KEY} must be a 1-D array of "
                              f"sample indices. Received: {order.dtype} {order.shape}")
    if order is not None and not meta["batch"]:
        raise CheckpointError(f"checkpoint {npz_path}: {ORDER_KEY} is saved at an epoch "
                              "boundary (batch 0), where no epoch is in progress")
