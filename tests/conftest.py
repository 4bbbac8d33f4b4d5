"""Shared fixtures: the real datasets beside the checkout (skipped cleanly when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
# beside the checkout (/work/main), or beside the folder of worktrees (/work/wt/NAME)
SHARED = next((p / "shared" / "datasets" for p in (_ROOT.parent, _ROOT.parent.parent)
               if (p / "shared" / "datasets").is_dir()), _ROOT.parent / "shared" / "datasets")


@pytest.fixture
def shared_mnist() -> Path:
    folder = SHARED / "mnist"
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("../shared/datasets/mnist is not present")
    return folder


@pytest.fixture
def shared_fashion_mnist() -> Path:
    folder = SHARED / "fashion-mnist"
    if not (folder / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("../shared/datasets/fashion-mnist is not present")
    return folder


@pytest.fixture
def shared_tinyshakespeare() -> Path:
    folder = SHARED / "tinyshakespeare"
    if not (folder / "input.txt").exists():
        pytest.skip("../shared/datasets/tinyshakespeare is not present")
    return folder
