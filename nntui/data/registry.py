"""The dataset registry: every dataset by name, and :func:`load_dataset`.

``load_dataset("spiral", seed=1, n_samples=600, noise=0.1)`` checks the options
against the loader's signature, so a misspelt option fails with a suggestion
instead of being ignored.
"""

from __future__ import annotations

import difflib
import inspect
import math
from typing import Any

from nntui.data import dates, images, mnist, npz, sequences, synthetic, tabular, text
from nntui.data.dataset import Dataset, DatasetInfo
from nntui.errors import DatasetError

COMMON = ("seed", "n_samples", "data_dir")

_ENTRIES = (
    ("blobs", "classification", "points2d", False, synthetic.load_blobs,
     "two linearly separable gaussian blobs (perceptron)"),
    ("xor", "classification", "points2d", False, synthetic.load_xor,
     "four clusters with XOR labels (not linearly separable)"),
    ("circles", "classification", "points2d", False, synthetic.load_circles,
     "two concentric circles"),
    ("moons", "classification", "points2d", False, synthetic.load_moons,
     "two interleaving half moons"),
    ("spiral", "classification", "points2d", False, synthetic.load_spiral,
     "K interleaved spiral arms (default 3)"),
    ("gaussian", "classification", "points2d", False, synthetic.load_gaussian,
     "mixture of gaussians in 2-D; layout=ring gives the 8-mode GAN target"),
    ("regression1d", "regression", "vector", False, synthetic.load_regression1d,
     "1-D curve fit, x in [-3, 3]"),
    ("regression", "regression", "vector", False, synthetic.load_regression,
     "n-D regression with linear and nonlinear terms"),
    ("sine", "sequence", "sequence", False, sequences.load_sine,
     "sine wave windows: predict the next value"),
    ("noisy_sine", "sequence", "sequence", False, sequences.load_noisy_sine,
     "noisy two-tone series: predict the next value"),
    ("long_memory", "classification", "sequence", False, sequences.load_long_memory,
     "recall a class shown at step 0 after T-1 noisy steps (RNN fails, LSTM solves)"),
    ("shapes", "classification", "image", False, images.load_shapes,
     "drawn 28x28 shapes; labelling=shape or size"),
    ("mnist", "classification", "image", True, mnist.load_mnist,
     "MNIST handwritten digits 28x28 (downloaded once, verified)"),
    ("fashion_mnist", "classification", "image", True, mnist.load_fashion_mnist,
     "Fashion-MNIST clothing 28x28 (downloaded once, verified)"),
    ("addition", "language", "text", False, text.load_addition,
     "fixed-width additions like 07+35=042, character level"),
    ("text", "language", "text", False, text.load_text,
     "any UTF-8 text file (path=), character level"),
    ("tinyshakespeare", "language", "text", True, text.load_tinyshakespeare,
     "Tiny Shakespeare, character level (downloaded once, verified)"),
    ("dates", "translation", "pairs", False, dates.load_dates,
     "dates as people write them -> ISO 8601 (a sequence-to-sequence task)"),
    ("csv", "classification", "vector", False, tabular.load_csv,
     "a CSV file (path=, target=); task inferred or task="),
    ("npz", "classification", "vector", False, npz.load_npz,
     "a .npz archive with x/y or x_train/y_train/x_test/y_test (path=)"),
)  # fmt: skip

DATASETS: dict[str, DatasetInfo] = {
    name: DatasetInfo(name, task, kind, description, download, loader)
    for name, task, kind, download, loader, description in _ENTRIES
}
"""Every dataset by name. For ``csv`` and ``npz`` the task depends on the file."""


def options(name: str) -> dict[str, Any]:
    """The options a dataset accepts (besides ``seed``/``n_samples``/``data_dir``) and defaults.

    Raises:
        DatasetError: for an unknown name.
    """
    params = inspect.signature(_info(name).loader).parameters
    return {k: p.default for k, p in params.items() if k not in COMMON}


def list_datasets(task: str | None = None, input_kind: str | None = None) -> list[DatasetInfo]:
    """Registry entries, optionally only those of one task and/or input kind."""
    return [
        info
        for info in DATASETS.values()
        if (task is None or info.task == task)
        and (input_kind is None or info.input_kind == input_kind)
    ]


def _info(name: str) -> DatasetInfo:
    if name in DATASETS:
        return DATASETS[name]
    close = difflib.get_close_matches(str(name), list(DATASETS), n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise DatasetError(f"unknown dataset {name!r}; {hint}available: {', '.join(DATASETS)}")


def _check_options(
    name: str, given: dict[str, Any], accepted: dict[str, Any], annotations: dict[str, Any]
) -> None:
    """Refuse options the loader does not take (suggesting the closest one), and values
    whose type differs from the option's default (a number where a number is expected)."""
    for key, value in given.items():
        if key not in accepted:
            close = difflib.get_close_matches(str(key), list(accepted), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            valid = ", ".join(accepted) or "none"
            raise DatasetError(
                f"dataset {name!r} has no option {key!r}; {hint}its options: {valid}"
            )
        _check_type(name, key, value, accepted[key], annotations.get(key, ""))


def _check_type(name: str, key: str, value: Any, default: Any, annotation: Any) -> None:
    if default is None or value is None or "|" in str(annotation):
        return  # no single type to compare with (target: str | int): the loader checks it
    if isinstance(default, bool):
        ok, what = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok, what = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok, what = ok and math.isfinite(value), "a finite number"
    elif isinstance(default, str):
        ok, what = isinstance(value, str), "a string"
    else:
        return
    if not ok:
        raise DatasetError(
            f"dataset {name!r}: invalid option value: {key} must be {what}. Received: {value!r}"
        )


def load_dataset(
    name: str,
    *,
    seed: int = 0,
    n_samples: int | None = None,
    data_dir: str | None = None,
    **options_: Any,
) -> Dataset:
    """Load a dataset by name.

    Args:
        name: a key of :data:`DATASETS`.
        seed: random seed; the same seed gives the same arrays.
        n_samples: dataset size (generators) or training-sample cap (files); None
            for the dataset's default.
        data_dir: folder holding downloaded files (ignored by embedded generators).
        **options_: the dataset's own options, see :func:`options`.

    Returns:
        The :class:`Dataset`.

    Raises:
        DatasetError: unknown name (with the closest names), unknown option, bad
            option value, missing or corrupt files, no network.
    """
    info = _info(name)
    params = inspect.signature(info.loader).parameters
    accepted = {k: p.default for k, p in params.items() if k not in COMMON}
    _check_options(name, options_, accepted, {k: p.annotation for k, p in params.items()})
    kwargs: dict[str, Any] = {"seed": seed, "n_samples": n_samples, **options_}
    if "data_dir" in params:
        kwargs["data_dir"] = None if data_dir is None else str(data_dir)
    try:
        return info.loader(**kwargs)
    except (TypeError, ValueError) as exc:  # e.g. noise="abc" reaching numpy
        raise DatasetError(f"dataset {name!r}: invalid option value ({exc})") from exc
