"""MNIST with some digits only (transfer learning's two tasks), on the real test file."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.data import load_dataset
from nntui.data.idx import read_idx_labels
from nntui.errors import DatasetError


def test_classes_keep_those_digits_relabelled_in_order(shared_mnist) -> None:
    ds = load_dataset("mnist", data_dir=str(shared_mnist), source="test", classes=[7, 5])
    assert ds.num_classes == 2 and ds.class_names == ("7", "5")
    labels = read_idx_labels(shared_mnist / "t10k-labels-idx1-ubyte.gz")
    assert ds.n_train + ds.n_test == int(np.sum(labels == 7) + np.sum(labels == 5))
    assert set(np.unique(ds.y_train)) == {0, 1}
    full = load_dataset("mnist", data_dir=str(shared_mnist), source="test")  # same split
    np.testing.assert_array_equal(ds.x_test[ds.y_test == 0], full.x_test[full.y_test == 7])
    np.testing.assert_array_equal(ds.x_train[ds.y_train == 1], full.x_train[full.y_train == 5])


@pytest.mark.parametrize("bad", [[], [10], [3, 3], "5-9"])
def test_bad_classes_are_refused_naming_the_value(shared_mnist, bad) -> None:
    with pytest.raises(DatasetError, match=r"classes must be a list of distinct labels"):
        load_dataset("mnist", data_dir=str(shared_mnist), source="test", classes=bad)
