"""Base models for transfer learning: trained here, from a preset, and cached with a checksum.

A transfer preset names its base by preset (``[model] base = "cnn-mnist-04"``). The first
run trains that preset as ``nntui train`` would (its own seed, on one BLAS thread so the
same machine writes the same bytes) and caches the weights in
``<data cache>/bases/<preset>-<hash of its config>.npz`` (plain arrays, no pickle) with a
manifest ``.json`` beside it: the file's SHA-256, the config it was trained from, the
dataset it read and the held-out accuracy it reached. A later run loads the file only
when its SHA-256 matches the manifest. Nothing is downloaded: the base is as
trustworthy as the dataset files it was trained on, which are checked on load.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nntui.architectures.base import Session
from nntui.architectures.spec import RunSpec
from nntui.data.download import cache_dir, sha256_file
from nntui.errors import ConfigError, DatasetError


@dataclass(frozen=True)
class PresetSource:
    """What the presets lend the transfer family, which names its base by preset.

    The presets sit above the architectures (they check every field through them), so
    the architectures cannot import them; :mod:`nntui.presets` lends itself here when it
    is imported (:func:`lend_presets`).
    """

    architectures: Callable[[], dict[str, str]]
    """Every preset's name with its architecture."""
    load: Callable[[str, list[str]], RunSpec]
    """A preset by name, with ``key=value`` overrides."""


_source: list[PresetSource] = []


def lend_presets(source: PresetSource) -> None:
    _source[:] = [source]


def presets() -> PresetSource:
    """The presets, once :mod:`nntui.presets` has lent them.

    Raises:
        ConfigError: nothing has imported :mod:`nntui.presets` (a base is named by preset).
    """
    if not _source:
        raise ConfigError("a transfer model names its base by preset: import nntui.presets "
                          "(nntui.presets.load_preset) before building it")
    return _source[0]


def _config_hash(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]


def base_paths(preset: str, config: dict[str, Any]) -> tuple[Path, Path]:
    """The cached weights and manifest of ``preset`` trained from ``config``."""
    stem = cache_dir() / "bases" / f"{preset}-{_config_hash(config)}"
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def _write_atomic(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", delete=False)
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def train_base(session: Session, weights: Path, manifest: Path) -> dict[str, Any]:
    """Train ``session`` (a base preset's) and cache its weights with a manifest."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
        history = session.trainer(snapshot_every=0, on_divergence="raise").run()
    arrays = session.model.named_weights()  # type: ignore[attr-defined]
    _write_atomic(weights, lambda f: np.savez(f, **arrays))
    record = {
        "preset": session.spec.name,
        "config": session.spec.to_dict(),
        "sha256": sha256_file(weights),
        "dataset": session.dataset.description,
        "val_accuracy": history.history.get("val_accuracy", [None])[-1],
        "trained_on": "this machine, by nntui.architectures.bases.train_base",
    }
    _write_atomic(manifest, lambda f: f.write(json.dumps(record, indent=2).encode()))
    return record


def load_base(preset: str, data_dir: str | None = None, overrides: tuple[str, ...] = ()
              ) -> tuple[Session, dict[str, Any]]:
    """The base preset's session with its trained weights: from the cache when the file's
    SHA-256 matches its manifest, else trained now and cached.

    Args:
        preset: a cnn preset's name.
        data_dir: where its dataset's files are (None: the data cache).
        overrides: ``key=value`` changes to the preset (part of the cached file's name).

    Raises:
        DatasetError: a cached file whose SHA-256 differs from its manifest (named, with
            what to do), or the base's dataset cannot be loaded.
    """
    from nntui.architectures.session import build_session

    session = build_session(presets().load(preset, list(overrides)), data_dir=data_dir)
    weights, manifest = base_paths(preset, session.spec.to_dict())
    if not (weights.exists() and manifest.exists()):
        return session, train_base(session, weights, manifest)
    record = json.loads(manifest.read_text(encoding="utf-8"))
    got = sha256_file(weights)
    if got != record.get("sha256"):
        raise DatasetError(f"{weights}: SHA-256 {got} differs from the one its manifest "
                           f"recorded ({record.get('sha256')}); delete both files to "
                           "train the base again")
    with np.load(weights, allow_pickle=False) as stored:
        for layer in session.model.layers:
            for name in layer.params:
                layer.params[name] = layer.ops.asarray(stored[f"{layer.name}/{name}"])
    return session, record
