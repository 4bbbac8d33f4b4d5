"""Input checks and scores with scikit-learn's rules: X becomes a 2-D float array (float32
stays float32, anything else becomes float64, as scikit-learn does), targets get checked,
and accuracy / R² are computed as ``accuracy_score`` / ``r2_score`` do."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import ShapeError


def check_x(x: Any, owner: str, n_features: int | None = None) -> np.ndarray:
    """A 2-D, finite, float32/float64 array.

    Raises:
        ShapeError: not 2-D, not numbers, NaN or inf, no samples, or (with ``n_features``)
            a different number of features than at fit time.
    """
    if hasattr(x, "toarray"):  # scipy.sparse: the engine is dense
        x = x.toarray()
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ShapeError(f"X cannot be turned into an array: {exc}") from exc
    if arr.ndim != 2:
        raise ShapeError(
            f"Expected a 2D array, got a {arr.ndim}D array instead: X has shape "
            f"{arr.shape}. Reshape your data either using X.reshape(-1, 1) if it has a "
            "single feature or X.reshape(1, -1) if it contains a single sample.")
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise ShapeError(f"X must hold numbers; received dtype {arr.dtype}: {exc}") from exc
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64)
    if arr.shape[0] < 1:
        raise ShapeError(f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum "
                         f"of 1 is required by {owner}.")
    if not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else "infinity or a value too large"
        raise ShapeError(f"Input X contains {what}. {owner} does not accept missing or "
                         "infinite values; impute or drop them first.")
    if n_features is not None and arr.shape[1] != n_features:
        raise ShapeError(f"X has {arr.shape[1]} features, but {owner} is expecting "
                         f"{n_features} features as input.")
    return np.ascontiguousarray(arr)


def check_y(y: Any, n: int, numeric: bool) -> np.ndarray:
    """Targets as an array of ``n`` rows; (n, 1) becomes (n,), as ``column_or_1d`` does.

    Raises:
        ShapeError: a different number of rows than X, or (``numeric``) non-finite values.
    """
    arr = np.asarray(y)
    if arr.ndim == 0 or arr.ndim > 2:
        raise ShapeError(f"y must be 1-D or 2-D; received shape {arr.shape}")
    if len(arr) != n:
        raise ShapeError(f"Found input variables with inconsistent numbers of samples: "
                         f"X has {n}, y has {len(arr)}")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if numeric:
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise ShapeError(f"y must hold numbers for a regressor: {exc}") from exc
        if not np.isfinite(arr).all():
            raise ShapeError("Input y contains NaN or infinity.")
    return arr


def feature_names(x: Any) -> np.ndarray | None:
    """A DataFrame's column names when they are all strings (``feature_names_in_``)."""
    columns = getattr(x, "columns", None)
    if columns is None or not all(isinstance(c, str) for c in columns):
        return None
    return np.asarray(list(columns), dtype=object)


def check_sample_weight(sample_weight: Any, x: np.ndarray) -> np.ndarray | None:
    """None, or one finite weight per sample in X's dtype (a number: the same for all),
    as scikit-learn's ``_check_sample_weight``.

    Raises:
        ShapeError: not numbers, not 1-D, a length other than X's, NaN or inf.
    """
    if sample_weight is None:
        return None
    n = x.shape[0]
    try:
        w = np.asarray(sample_weight, dtype=x.dtype)
    except (ValueError, TypeError) as exc:
        raise ShapeError(f"sample_weight must hold numbers: {exc}") from exc
    if w.ndim == 0:
        w = np.full(n, w, dtype=x.dtype)
    if w.ndim != 1 or len(w) != n:
        raise ShapeError(f"sample_weight.shape == {w.shape}, expected ({n},)!")
    if not np.isfinite(w).all():
        raise ShapeError("sample_weight contains NaN or infinity; give finite weights")
    return w


def accuracy(y_true: Any, y_pred: np.ndarray, sample_weight: Any = None) -> float:
    """Share of rows predicted exactly (all labels of a row, for multi-label)."""
    y_true = np.asarray(y_true)
    if y_true.ndim == 2 and y_true.shape[1] == 1 and y_pred.ndim == 1:
        y_true = y_true.ravel()
    hit = y_true == y_pred
    if hit.ndim == 2:
        hit = hit.all(axis=1)
    return float(np.average(hit, weights=sample_weight))


def r2(y_true: Any, y_pred: np.ndarray, sample_weight: Any = None) -> float:
    """R², averaged over outputs; a constant target scores 1 if predicted exactly, else 0."""
    y = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if len(y) < 2:
        return float("nan")
    y, p = y.reshape(len(y), -1), p.reshape(len(p), -1)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    w = w[:, None]
    num = (w * (y - p) ** 2).sum(axis=0)
    den = (w * (y - np.average(y, axis=0, weights=w[:, 0])) ** 2).sum(axis=0)
    score = np.where(den > 0, 1.0 - num / np.where(den > 0, den, 1.0),
                     np.where(num == 0, 1.0, 0.0))
    return float(np.mean(score))
