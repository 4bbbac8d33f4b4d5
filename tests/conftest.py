"""Shared fixtures: the real datasets beside the checkout (skipped cleanly when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture
def shared_mnist() -> Path:
    folder = SHARED / "mnist"
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("../shared/datasets/mnist is not present")
    return folder
