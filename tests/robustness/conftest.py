"""Robustness tests: numpy overflow warnings from diverging runs are expected here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Every test runs in its own folder, so a default `runs/` never lands in the checkout."""
    monkeypatch.chdir(tmp_path)
