"""NumPy ``.npz`` archives as datasets, read without pickle.

The archive holds either ``x`` and ``y`` (split here, seeded) or ``x_train``,
``y_train``, ``x_test`` and ``y_test`` (used as they are).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nntui.data.dataset import (
    MAX_COUNT,
    MAX_SAMPLES,
    Dataset,
    check_choice,
    check_count,
    check_numbers,
)
from nntui.data.files import read_npz
from nntui.data.tabular import tabular_dataset
from nntui.errors import DatasetError

SPLIT_KEYS = ("x_train", "y_train", "x_test", "y_test")


def _pick(arrays: dict[str, np.ndarray], path: Path) -> tuple[np.ndarray, ...]:
    """``(x, y)`` or ``(x_train, y_train, x_test, y_test)``; clear error otherwise."""
    if all(k in arrays for k in SPLIT_KEYS):
        return tuple(arrays[k] for k in SPLIT_KEYS)
    if "x" in arrays and "y" in arrays:
        return arrays["x"], arrays["y"]
    raise DatasetError(
        f"{path}: needs arrays x and y, or x_train, y_train, x_test and y_test; "
        f"found {', '.join(sorted(arrays)) or 'none'}"
    )


def _targets(y: np.ndarray, task: str) -> np.ndarray:
    """int64 class indices or float32 ``(N, k)`` targets."""
    if task == "classification":
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
            raise DatasetError(
                "classification targets must be 1-D non-negative integer class indices. "
                f"Received: dtype={y.dtype}, shape={y.shape}"
            )
        return y.astype(np.int64)
    y = y.astype(np.float32)
    return y[:, None] if y.ndim == 1 else y


def load_npz(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    path: str | None = None,
    task: str | None = None,
    scale: bool = False,
    test_fraction: float = 0.2,
) -> Dataset:
    """A ``.npz`` archive of arrays, loaded with ``allow_pickle=False``.

    Args:
        seed: random seed (split when the archive holds only ``x``/``y``).
        n_samples: keep the first ``n_samples`` training samples (default: all).
        path: the archive (required).
        task: ``"classification"`` or ``"regression"``; default: classification when
            y holds integers, regression otherwise.
        scale: standardise features per position, with training statistics (only
            when the archive is split here).
        test_fraction: share held out when the archive is not split already.

    Raises:
        DatasetError: no path, unreadable archive, missing keys, pickled arrays,
            mismatched lengths.
    """
    if path is None:
        raise DatasetError(
            'dataset "npz" needs a file: pass path="data.npz" (--set dataset.path=...)'
        )
    file = Path(path).expanduser()
    arrays = _pick(read_npz(file), file)
    keys = SPLIT_KEYS if len(arrays) == 4 else ("x", "y")
    for key, array in zip(keys, arrays, strict=True):
        check_numbers(array, str(file), key)
    for x, y in zip(arrays[0::2], arrays[1::2], strict=True):
        if x.ndim == 0 or len(x) != len(y):
            raise DatasetError(
                f"{file}: x and y must have the same first dimension; "
                f"got shapes {x.shape} and {y.shape}"
            )
    if n_samples is not None:
        check_count("n_samples", n_samples, 1, MAX_SAMPLES)
    if not len(arrays[1]):
        raise DatasetError(f"{file}: the archive holds no training samples")
    integer = np.issubdtype(arrays[1].dtype, np.integer)
    kind = task or ("classification" if integer else "regression")
    check_choice("task", kind, ("classification", "regression"))
    ys = [_targets(y, kind) for y in arrays[1::2]]
    classes = int(max(y.max() for y in ys if y.size)) + 1 if kind == "classification" else None
    if classes is not None and len(np.unique(ys[0])) < 2:
        raise DatasetError(f"{file}: the training targets hold one class only; a classifier "
                           "needs at least 2 (pass task='regression' for numeric targets)")
    if classes is not None and classes > MAX_COUNT:
        raise DatasetError(
            f"{file}: class indices go up to {classes - 1}; classification needs labels "
            f"0..K-1 with K <= {MAX_COUNT} (pass task='regression' for numeric targets)"
        )
    names = tuple(str(i) for i in range(classes)) if classes else None
    if len(arrays) == 2:
        x = arrays[0][:n_samples] if n_samples is not None else arrays[0]
        y = ys[0][: len(x)]
        return tabular_dataset(
            "npz", x.astype(np.float64), y, kind, names, scale, seed, test_fraction, str(file)
        )
    x_train, x_test = (a.astype(np.float32) for a in arrays[0::2])
    y_train, y_test = ys
    if n_samples is not None:
        x_train, y_train = x_train[:n_samples], y_train[:n_samples]
    return Dataset(
        "npz",
        x_train,
        y_train,
        x_test,
        y_test,
        kind,
        classes,
        names,
        tuple(x_train.shape[1:]),
        f"{kind} from {file.name}",
        {"source": str(file)},
    )
