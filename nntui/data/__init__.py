"""Datasets: embedded generators, MNIST/Fashion-MNIST, text, CSV and NPZ loaders.

Everything goes through one call::

    from nntui.data import load_dataset
    ds = load_dataset("spiral", seed=0, num_classes=3)
    ds.x_train.shape  # (720, 2)

This package never imports ``textual``, ``rich`` or ``nntui.engine``.
"""

from __future__ import annotations

from nntui.data.dataset import INPUT_KINDS, TASKS, Dataset, DatasetInfo
from nntui.data.registry import DATASETS, list_datasets, load_dataset, options

__all__ = [
    "DATASETS",
    "INPUT_KINDS",
    "TASKS",
    "Dataset",
    "DatasetInfo",
    "list_datasets",
    "load_dataset",
    "options",
]
