"""MNIST and Fashion-MNIST: download on first use, cache, verify SHA-256, parse IDX.

Files come from ``data_dir`` when given (directly in it or in its ``mnist`` /
``fashion-mnist`` subfolder), else from the cache (see
:func:`nntui.data.download.cache_dir`), downloaded there if missing. Every file
is checked against its published SHA-256 before it is parsed.

``source="test"`` uses only the two 10k test files and splits them into train and
held-out parts (8000/2000 by default): enough for a quick run or where the
training images are not at hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nntui.data.dataset import (
    Dataset,
    check_choice,
    check_count,
    holdout_split,
    make_rng,
)
from nntui.data.download import RemoteFile, cache_dir, fetch, verify
from nntui.data.idx import read_idx_images, read_idx_labels
from nntui.errors import DatasetError

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
FASHION_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)
PARTS = ("train_images", "train_labels", "test_images", "test_labels")
FILE_NAMES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
CHECKSUMS = {
    "mnist": {
        # train-images: not checked against a local copy here; it is the SHA-256 that
        # torchvision-style loaders and TensorFlow's mirror list publish for this file.
        "train_images": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train_labels": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "test_images": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "test_labels": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion_mnist": {
        "train_images": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train_labels": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "test_images": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "test_labels": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}
SUBFOLDERS = {"mnist": ("mnist", "MNIST"), "fashion_mnist": ("fashion-mnist", "fashion_mnist")}
CLASS_NAMES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion_mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}


def remote_files(name: str) -> dict[str, RemoteFile]:
    """The four files of ``"mnist"`` or ``"fashion_mnist"`` with checksums and mirrors."""
    mirrors = MNIST_MIRRORS if name == "mnist" else FASHION_MIRRORS
    return {p: RemoteFile(FILE_NAMES[p], CHECKSUMS[name][p], mirrors) for p in PARTS}


def _find_local(name: str, data_dir: Path, part: str) -> Path | None:
    """Where ``part`` lies in ``data_dir`` (directly or in a known subfolder), if anywhere."""
    for folder in (data_dir, *(data_dir / s for s in SUBFOLDERS[name])):
        candidate = folder / FILE_NAMES[part]
        if candidate.is_file():
            return candidate
    return None


def _local_paths(name: str, data_dir: Path, parts: tuple[str, ...]) -> dict[str, Path]:
    """Resolve and verify ``parts`` in ``data_dir``.

    Raises:
        DatasetError: a missing file (with what to do) or a checksum mismatch.
    """
    found = {p: _find_local(name, data_dir, p) for p in parts}
    missing = [FILE_NAMES[p] for p, path in found.items() if path is None]
    if missing:
        has_test = all(_find_local(name, data_dir, p) for p in ("test_images", "test_labels"))
        hint = '; it has the t10k files, so source="test" works' if has_test else ""
        raise DatasetError(f"{data_dir}: missing {', '.join(missing)} for {name}{hint}")
    paths = {p: path for p, path in found.items() if path is not None}
    for part, path in paths.items():
        verify(path, CHECKSUMS[name][part])
    return paths


def _resolve_source(name: str, source: str, data_dir: Path | None) -> str:
    """Turn ``source="auto"`` into ``"full"`` or ``"test"``."""
    if source != "auto":
        return source
    if data_dir is None or all(_find_local(name, data_dir, p) for p in PARTS):
        return "full"
    return "test"


def _files(name: str, source: str, data_dir: Path | None) -> dict[str, Path]:
    """Paths of the verified files ``source`` needs, fetched into the cache if needed."""
    parts = PARTS if source == "full" else ("test_images", "test_labels")
    if data_dir is not None:
        return _local_paths(name, data_dir, parts)
    folder = cache_dir() / SUBFOLDERS[name][0]
    remotes = remote_files(name)
    return {p: fetch(remotes[p], folder) for p in parts}


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 ``(N, 28, 28, 1)`` in [0, 1]; labels int64 ``(N,)``."""
    images = read_idx_images(images_path)
    labels = read_idx_labels(labels_path)
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path} holds {len(images)} images but {labels_path} "
            f"holds {len(labels)} labels; they must be a matching pair"
        )
    if labels.size and labels.max() > 9:
        raise DatasetError(f"{labels_path}: label {labels.max()} out of range 0..9")
    x = (images.astype(np.float32) / 255.0)[..., None]  # (N, 28, 28) -> (N, 28, 28, 1)
    return x, labels.astype(np.int64)


def _subsample(
    x: np.ndarray, y: np.ndarray, n: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Keep a seeded random ``n`` of the training samples (all when ``n`` is None)."""
    if n is None or n >= len(x):
        return x, y
    keep = np.sort(rng.choice(len(x), size=check_count("n_samples", n), replace=False))
    return x[keep], y[keep]


def _check_classes(classes: object) -> tuple[int, ...] | None:
    if classes is None:
        return None
    ok = (isinstance(classes, (list, tuple)) and 0 < len(classes) <= 10
          and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 9
                  for c in classes) and len(set(classes)) == len(classes))
    if not ok:
        raise DatasetError("classes must be a list of distinct labels from 0 to 9, e.g. "
                           f"[5, 6, 7, 8, 9]. Received: classes={classes!r}")
    return tuple(classes)  # type: ignore[arg-type]


def _keep_classes(x: np.ndarray, y: np.ndarray, classes: tuple[int, ...]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Only the samples of ``classes``, relabelled 0..k-1 in that order."""
    keep = np.isin(y, classes)
    table = np.full(10, -1, np.int64)
    table[list(classes)] = np.arange(len(classes))
    return x[keep], table[y[keep]]


def load_idx_dataset(
    name: str,
    *,
    seed: int,
    n_samples: int | None,
    data_dir: str | None,
    source: str,
    test_fraction: float,
    classes: object = None,
) -> Dataset:
    """Load ``"mnist"`` or ``"fashion_mnist"``; see :func:`load_mnist` for the options."""
    check_choice("source", source, ("auto", "full", "test"))
    kept = _check_classes(classes)
    rng = make_rng(seed)
    folder = Path(data_dir).expanduser() if data_dir is not None else None
    used = _resolve_source(name, source, folder)
    paths = _files(name, used, folder)
    if used == "full":
        x_train, y_train = _read_pair(paths["train_images"], paths["train_labels"])
        x_test, y_test = _read_pair(paths["test_images"], paths["test_labels"])
    else:
        x, y = _read_pair(paths["test_images"], paths["test_labels"])
        x_train, y_train, x_test, y_test = holdout_split(x, y, rng, test_fraction)
    names = CLASS_NAMES[name]
    if kept is not None:
        x_train, y_train = _keep_classes(x_train, y_train, kept)
        x_test, y_test = _keep_classes(x_test, y_test, kept)
        names = tuple(names[c] for c in kept)
    x_train, y_train = _subsample(x_train, y_train, n_samples, rng)
    label = "MNIST digits" if name == "mnist" else "Fashion-MNIST clothing"
    if kept is not None:
        label += " " + ", ".join(names)
    split = "official split" if used == "full" else "the 10k test set split in two"
    meta = {"source": used, "files": {p: str(v) for p, v in paths.items()}}
    return Dataset(
        name,
        x_train,
        y_train,
        x_test,
        y_test,
        "classification",
        len(names),
        names,
        (28, 28, 1),
        f"{label} 28x28 ({split})",
        meta,
    )


def load_mnist(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    data_dir: str | None = None,
    source: str = "auto",
    test_fraction: float = 0.2,
    classes: list[int] | None = None,
) -> Dataset:
    """MNIST handwritten digits, x ``(N, 28, 28, 1)`` float32 in [0, 1], y int64 0..9.

    Args:
        seed: random seed (subsampling and the ``source="test"`` split).
        n_samples: keep this many training samples (default: all).
        data_dir: read the files from this folder instead of the cache; never downloads.
        source: ``"full"`` (60k train / 10k test), ``"test"`` (the 10k test set split
            ``1 - test_fraction`` / ``test_fraction``), or ``"auto"``: ``"full"`` unless
            ``data_dir`` holds only the test files.
        test_fraction: held-out share for ``source="test"``.
        classes: keep only these labels, relabelled 0..k-1 in this order (digits 5-9 as
            classes 0-4: ``[5, 6, 7, 8, 9]``); ``n_samples`` counts what is kept.

    Raises:
        DatasetError: missing files, no network, checksum mismatch, corrupt files.
    """
    return load_idx_dataset(
        "mnist",
        seed=seed,
        n_samples=n_samples,
        data_dir=data_dir,
        source=source,
        test_fraction=test_fraction,
        classes=classes,
    )


def load_fashion_mnist(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    data_dir: str | None = None,
    source: str = "auto",
    test_fraction: float = 0.2,
    classes: list[int] | None = None,
) -> Dataset:
    """Fashion-MNIST (10 clothing classes); same layout and options as :func:`load_mnist`."""
    return load_idx_dataset(
        "fashion_mnist",
        seed=seed,
        n_samples=n_samples,
        data_dir=data_dir,
        source=source,
        test_fraction=test_fraction,
        classes=classes,
    )
