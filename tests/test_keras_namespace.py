"""`import nntui as keras` reaches Keras's namespaces (models, callbacks, utils), and
``nntui.utils.to_categorical`` gives what Keras's gives."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from nntui.errors import ConfigError
from nntui.utils import to_categorical


def test_import_nntui_as_keras_reaches_models_callbacks_and_utils() -> None:
    code = ("import nntui as keras\n"
            "print(keras.models.load_model.__name__, keras.callbacks.EarlyStopping.__name__,\n"
            "      keras.utils.to_categorical([1, 0]).tolist())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "load_model EarlyStopping [[0.0, 1.0], [1.0, 0.0]]"


@pytest.mark.parametrize("labels,num_classes", [
    ([0, 2, 1, 2], None), ([1, 0], 4), (np.array([[1], [0], [3]]), None),
    (np.array([[0, 1], [2, 0]]), 3), (np.array([2.0, 1.0]), None), (np.array([], int), 3),
])
def test_to_categorical_equals_keras(labels: Any, num_classes: int | None) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    ours = to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(labels, num_classes)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("labels,num_classes,bad", [([0, 3], 3, 3), ([1, -1], None, -1)])
def test_to_categorical_names_a_label_outside_the_classes(labels: list[int],
                                                          num_classes: int | None,
                                                          bad: int) -> None:
    with pytest.raises(ConfigError, match=rf"to_categorical: label {bad} is outside 0\.\."):
        to_categorical(labels, num_classes)
