"""pyproject.toml's explicit package list: every package ships, and so do the presets."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]


def test_every_package_under_nntui_is_listed() -> None:
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "nntui").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - on_disk == {"nntui._models"}


def test_presets_are_mapped_into_the_wheel() -> None:
    cfg = _setuptools()
    assert cfg["package-dir"]["nntui._models"] == "models"
    assert cfg["package-data"]["nntui._models"] == ["*.toml"]
    assert sorted((ROOT / "models").glob("*.toml")), "models/ holds the presets"
