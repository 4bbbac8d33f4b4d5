"""Shared fixtures for the data tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.fixture
def shared_datasets() -> Path:
    """The folder of real dataset files beside the checkout; skip when it is absent."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"no shared datasets folder at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the download cache at a temporary folder so no test touches ~/.cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("NNTUI_DATA_DIR", str(cache))
    return cache
