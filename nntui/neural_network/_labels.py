"""Class labels <-> the network's targets, as scikit-learn's ``LabelBinarizer`` does it.

Any labels work (strings, integers, booleans): ``classes_`` is their sorted set.
  * binary (2 classes): one column, 1 for ``classes_[1]``; a sigmoid output;
  * multi-class (> 2): one-hot columns in ``classes_`` order; a softmax output;
  * multi-label (a 0/1 indicator matrix): the matrix itself, ``classes_`` its column
    indices; one sigmoid per column.
Predictions go back by argmax (multi-class) or by the 0.5 threshold (the others).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import ConfigError


def target_type(y: np.ndarray) -> str:
    """scikit-learn's ``type_of_target`` for what a classifier accepts:
    ``"binary"``, ``"multiclass"``, ``"multilabel-indicator"``, or the reason it cannot.

    Raises:
        ConfigError: continuous values, mixed label types, or several label columns
            that are not a 0/1 indicator matrix.
    """
    if y.ndim == 2 and y.shape[1] > 1:
        if y.dtype.kind in "biuf" and np.isin(y, (0, 1)).all():
            return "multilabel-indicator"
        raise ConfigError("Multioutput target data is not supported with label binarization: "
                          f"y has shape {y.shape} and is not a 0/1 indicator matrix")
    flat = y.reshape(-1)
    if flat.dtype.kind == "f" and (not np.isfinite(flat).all() or np.any(flat != flat.round())):
        raise ConfigError(
            "Unknown label type: continuous. Maybe you are trying to fit a classifier, which "
            "expects discrete classes on a regression target with continuous values.")
    if flat.dtype.kind == "O" and len({type(v) for v in flat.tolist()} - {str}) and \
            any(isinstance(v, str) for v in flat.tolist()):
        raise ConfigError("Mix of label input types (string and number)")
    return "multiclass" if len(np.unique(flat)) > 2 else "binary"


class LabelBinarizer:
    """``fit`` learns the classes; ``transform`` gives network targets (0/1 floats);
    ``inverse_transform`` turns outputs back into labels.

    Example:
        >>> lb = LabelBinarizer().fit(np.array(["cat", "dog", "cat"]))
        >>> lb.classes_, lb.transform(np.array(["dog"])).tolist()
        (array(['cat', 'dog'], dtype='<U3'), [[1.0]])
    """

    y_type_: str
    classes_: np.ndarray

    def fit(self, y: Any) -> LabelBinarizer:
        y = np.asarray(y)
        self.y_type_ = target_type(y)
        if self.y_type_ == "multilabel-indicator":
            self.classes_ = np.arange(y.shape[1])
        else:
            self.classes_ = np.unique(y.reshape(-1))
        return self

    def transform(self, y: Any) -> np.ndarray:
        """(n,) labels -> (n, 1) for binary, (n, k) one-hot for multi-class, the indicator
        matrix itself for multi-label; labels outside ``classes_`` give rows of 0."""
        y = np.asarray(y)
        if self.y_type_ == "multilabel-indicator":
            return y.astype(np.float64)
        flat = y.reshape(-1)
        if self.y_type_ == "binary":
            if len(self.classes_) < 2:
                return np.zeros((len(flat), 1))
            return (flat == self.classes_[1]).astype(np.float64)[:, None]
        return (flat[:, None] == self.classes_[None, :]).astype(np.float64)

    def inverse_transform(self, y: np.ndarray) -> np.ndarray:
        if self.y_type_ == "multiclass":
            return self.classes_[np.argmax(y, axis=1)]
        hit = (np.asarray(y) > 0.5).astype(np.int64)
        if self.y_type_ == "multilabel-indicator":
            return hit
        if len(self.classes_) == 1:
            return np.repeat(self.classes_[0], len(hit))
        return self.classes_[hit.reshape(-1)]
