"""``build_session``: a validated RunSpec turned into a dataset, a model and a trainer
factory. The app, ``nntui train`` and the tests all start runs through it."""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any

import numpy as np

from nntui.architectures.base import Architecture, Session
from nntui.architectures.registry import get_architecture
from nntui.architectures.spec import RunSpec
from nntui.data.dataset import Dataset
from nntui.errors import ConfigError, NntuiError

FILE_DATASETS = ("csv", "npz")  # their input kind is known only once the file is read


def build_session(spec: RunSpec, data_dir: str | None = None) -> Session:
    """Load the dataset and build the model the spec describes.

    Raises:
        ConfigError: the architecture cannot fit the dataset, or a model field is invalid.
        DatasetError: the dataset cannot be loaded.
        ShapeError: the layers do not fit the data (e.g. convolutions shrink it below 1 pixel).
    """
    arch = get_architecture(spec.architecture)
    ds = _load(spec, arch, data_dir)
    if arch.check_data is not None:
        arch.check_data(spec, ds)
    try:
        session = arch.build(spec, ds)
    except MemoryError:
        raise ConfigError(f"the {arch.name} model in this config does not fit in memory; "
                          "use fewer or smaller layers") from None
    except NntuiError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as e:
        # A value the checks let through: still one clear line, cause kept in the chain.
        raise ConfigError(f"cannot build the {arch.name} model from this config: "
                          f"{type(e).__name__}: {e}") from e
    return _without_validation(session) if spec.train.validation_split == 0 else session


def _load(spec: RunSpec, arch: Architecture, data_dir: str | None) -> Dataset:
    """The dataset, checked against the architecture before and after loading."""
    from nntui.data import DATASETS, load_dataset

    opts = {k: v for k, v in spec.dataset.items() if k != "name"}
    name = spec.dataset["name"]
    if name not in DATASETS:
        load_dataset(name)  # raises the DatasetError with the closest names
    info = DATASETS[name]
    if name not in FILE_DATASETS:
        _check_fit(arch, name, info.input_kind)
    if data_dir is not None and info.needs_download:
        opts.setdefault("data_dir", data_dir)
    split = spec.train.validation_split
    if split and "test_fraction" in inspect.signature(info.loader).parameters:
        opts.setdefault("test_fraction", split)
    seed = opts.pop("seed", spec.train.seed)  # dataset.seed: other data, same training seed
    ds = load_dataset(name, seed=seed, **opts)
    _check_fit(arch, name, _loaded_kind(ds, info.input_kind))
    return ds


def _without_validation(session: Session) -> Session:
    """``train.validation_split = 0``: the held-out samples train too, nothing validates."""
    if session.x_val is None or not len(session.x_val):
        return session
    x = np.concatenate([session.x_train, session.x_val])
    y = np.concatenate([session.y_train, np.asarray(session.y_val)])
    return replace(session, x_train=x, y_train=y, x_val=None, y_val=None)


def _check_fit(arch: Architecture, name: str, kind: str) -> None:
    if kind not in arch.input_kinds:
        kinds = " or ".join(arch.input_kinds)
        article = "an" if arch.input_kinds[0][0] in "aeiou" else "a"
        raise ConfigError(
            f"{arch.title} cannot learn from dataset {name!r}: it takes {kinds} data and "
            f"{name!r} is {kind} data. Choose {article} {kinds} dataset (see `nntui list`).")


def _loaded_kind(ds: Any, registered: str) -> str:
    """A file dataset's input kind from its sample shape: (F,), (T, F) or (H, W, C)."""
    if ds.name not in FILE_DATASETS:
        return registered
    return {1: "vector", 2: "sequence", 3: "image"}.get(len(ds.input_shape), "unknown")
