"""Tabular files: CSV (numeric features, one target column) and NPZ arrays.

CSV: every feature must be a number; the target may be numbers or strings. The
task is inferred — strings, or integers with few distinct values, mean
classification; anything else regression — and ``task=`` overrides it. Errors
name the row (1-based line of the file) and the column.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from nntui.data.dataset import (
    FLOAT32_MAX,
    MAX_SAMPLES,
    Dataset,
    check_choice,
    check_count,
    holdout_split,
    make_rng,
)
from nntui.data.files import MAX_TEXT_BYTES, read_file
from nntui.errors import DatasetError

MISSING = {"", "na", "nan", "n/a", "null", "none", "?"}
MAX_AUTO_CLASSES = 20


def _number(text: str) -> float | None:
    """The finite float ``text`` spells, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_rows(path: Path) -> list[list[str]]:
    """All non-blank rows, cells stripped.

    Raises:
        DatasetError: unreadable, non-UTF-8 or malformed CSV.
    """
    try:
        text = read_file(path, "CSV file", limit=MAX_TEXT_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise DatasetError(f"{path}: malformed CSV ({exc})") from exc
    return [r for r in rows if any(r)]


def _split_header(rows: list[list[str]], header: bool | None) -> tuple[list[str], list[list[str]]]:
    """Column names and data rows; auto: a first row with no number in it is a header."""
    width = len(rows[0])
    if header is None:
        header = all(_number(c) is None for c in rows[0])
    if header:
        return rows[0], rows[1:]
    return [f"column {i}" for i in range(width)], rows


def _target_index(target: str | int, names: list[str], path: Path) -> int:
    """Resolve ``target`` (name or index, negative counts from the end)."""
    if isinstance(target, str) and not target.lstrip("-").isdigit():
        if target not in names:
            raise DatasetError(f"{path}: no column named {target!r}; columns: {', '.join(names)}")
        return names.index(target)
    index = int(target)
    if not -len(names) <= index < len(names):
        raise DatasetError(f"{path}: target={target} is out of range for {len(names)} columns")
    return index % len(names)


def _features(
    rows: list[list[str]], names: list[str], target: int, path: Path, first_line: int
) -> np.ndarray:
    """Parse every feature cell as a float; errors name the row and column."""
    out = np.empty((len(rows), len(names) - 1), dtype=np.float64)
    columns = [i for i in range(len(names)) if i != target]
    for r, row in enumerate(rows):
        line = first_line + r
        if len(row) != len(names):
            raise DatasetError(f"{path}: row {line} has {len(row)} columns, expected {len(names)}")
        for j, c in enumerate(columns):
            cell = row[c]
            if cell.lower() in MISSING:
                raise DatasetError(f"{path}: missing value in row {line}, column {names[c]!r}")
            value = _number(cell)
            if value is None:
                raise DatasetError(
                    f"{path}: non-numeric value {cell!r} in row {line}, column {names[c]!r}; "
                    "features must be numbers (encode categories as numbers first)"
                )
            if abs(value) > FLOAT32_MAX:
                raise DatasetError(f"{path}: value {cell!r} in row {line}, column "
                                   f"{names[c]!r} is beyond float32's range (±3.4e38)")
            out[r, j] = value
    return out


def _infer_task(values: list[str]) -> str:
    """Classification for strings or few distinct integers, else regression."""
    numbers = [_number(v) for v in values]
    if any(n is None for n in numbers):
        return "classification"
    integer_like = all(float(n).is_integer() for n in numbers if n is not None)
    few = len(set(values)) <= min(MAX_AUTO_CLASSES, max(2, len(values) // 2))
    return "classification" if integer_like and few else "regression"


def _targets(
    values: list[str], task: str, path: Path, column: str, first_line: int
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Targets as int64 class indices (with class names) or float32 ``(N, 1)``."""
    for r, v in enumerate(values):
        if v.lower() in MISSING:
            raise DatasetError(f"{path}: missing target in row {first_line + r}, column {column!r}")
    numbers = [_number(v) for v in values]
    if task == "regression":
        for r, n in enumerate(numbers):
            if n is None or abs(n) > FLOAT32_MAX:
                raise DatasetError(
                    f"{path}: non-numeric target {values[r]!r} in row {first_line + r}; "
                    "a regression target must be finite numbers within float32's range "
                    "(or pass task='classification')"
                )
        return np.array(numbers, dtype=np.float32)[:, None], None
    if all(n is not None for n in numbers):
        classes, index = np.unique(np.array(numbers, dtype=np.float64), return_inverse=True)
        names = tuple(f"{c:g}" for c in classes)
    else:
        strings, index = np.unique(np.array(values, dtype=str), return_inverse=True)
        names = tuple(str(c) for c in strings)
    if len(names) < 2:
        raise DatasetError(f"{path}: the target column {column!r} holds one class only "
                           f"({names[0]!r}); a classifier needs at least 2 (it would learn "
                           "nothing and reach loss 0). Pass task='regression' for numbers")
    return index.astype(np.int64), names


def load_csv(
    *,
    seed: int = 0,
    n_samples: int | None = None,
    path: str | None = None,
    target: str | int = -1,
    task: str | None = None,
    header: bool | None = None,
    scale: bool = True,
    test_fraction: float = 0.2,
) -> Dataset:
    """A CSV file of numeric features and one target column.

    Args:
        seed: random seed (the train/held-out split).
        n_samples: use only the first ``n_samples`` data rows (default: all).
        path: the CSV file (required).
        target: target column name or index (default: the last column).
        task: ``"classification"`` or ``"regression"``; inferred when None.
        header: whether the first row holds column names; inferred when None
            (a first row without any number is a header).
        scale: standardise features with the training part's mean and std.
        test_fraction: share held out.

    Raises:
        DatasetError: no path, unreadable file, ragged rows, missing or non-numeric
            values (naming row and column), unknown target column.
    """
    if path is None:
        raise DatasetError(
            'dataset "csv" needs a file: pass path="data.csv" (--set dataset.path=...)'
        )
    if task is not None:
        check_choice("task", task, ("classification", "regression"))
    file = Path(path).expanduser()
    rows = _read_rows(file)
    if not rows:
        raise DatasetError(f"{file}: the CSV file is empty")
    names, data = _split_header(rows, header)
    first_line = 2 if data is not rows else 1
    if n_samples is not None:
        data = data[: check_count("n_samples", n_samples, 2, MAX_SAMPLES)]
    if len(names) < 2 or len(data) < 2:
        raise DatasetError(
            f"{file}: need at least 2 columns and 2 data rows, found "
            f"{len(names)} columns and {len(data)} rows"
        )
    t = _target_index(target, names, file)
    x = _features(data, names, t, file, first_line)
    raw = [row[t] for row in data]
    kind = task or _infer_task(raw)
    y, class_names = _targets(raw, kind, file, names[t], first_line)
    return tabular_dataset(
        "csv",
        x,
        y,
        kind,
        class_names,
        scale,
        seed,
        test_fraction,
        str(file),
        [n for i, n in enumerate(names) if i != t],
    )


def tabular_dataset(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    task: str,
    class_names: tuple[str, ...] | None,
    scale: bool,
    seed: int,
    test_fraction: float,
    source: str,
    feature_names: list[str] | None = None,
) -> Dataset:
    """Split and optionally standardise (with training statistics only)."""
    rng = make_rng(seed)
    flat = x.reshape(len(x), -1)
    x_train, y_train, x_test, y_test = holdout_split(flat, y, rng, test_fraction)
    meta: dict[str, object] = {"source": source, "feature_names": feature_names}
    if scale:
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std = np.where(std > 0, std, 1.0)
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
        meta.update(mean=mean.tolist(), std=std.tolist())
    shape = x.shape[1:]
    x_train = x_train.reshape(-1, *shape).astype(np.float32)
    x_test = x_test.reshape(-1, *shape).astype(np.float32)
    k = len(class_names) if class_names is not None else None
    return Dataset(
        name,
        x_train,
        y_train,
        x_test,
        y_test,
        task,
        k,
        class_names,
        shape,
        f"{task} from {Path(source).name}",
        meta,
    )
