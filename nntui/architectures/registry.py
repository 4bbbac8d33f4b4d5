"""Every architecture, found by looking: each module of this package that defines
``ARCHITECTURES`` contributes its own, so adding a family is adding one module."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from pathlib import Path

from nntui.architectures.base import Architecture
from nntui.errors import ConfigError

_NOT_FAMILIES = {"base", "bases", "building", "fields", "layer_table", "registry", "session",
                 "spec"}


def _discover() -> dict[str, Architecture]:
    package = __name__.rpartition(".")[0]
    found: list[Architecture] = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name in _NOT_FAMILIES:
            continue
        mod = importlib.import_module(f"{package}.{module.name}")
        found.extend(getattr(mod, "ARCHITECTURES", ()))
    return {a.name: a for a in sorted(found, key=lambda a: (a.order, a.name))}


ARCHITECTURES: dict[str, Architecture] = _discover()
"""Name -> architecture, in launcher order."""


def get_architecture(name: object) -> Architecture:
    """The architecture called ``name``.

    Raises:
        ConfigError: unknown name, listing the known ones and the closest.
    """
    arch = ARCHITECTURES.get(name) if isinstance(name, str) else None
    if arch is None:
        close = difflib.get_close_matches(str(name), list(ARCHITECTURES), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"architecture must be one of {', '.join(ARCHITECTURES)}. "
                          f"Received: {name!r}.{hint}")
    return arch


def compatible_datasets(architecture: str) -> list[str]:
    """Datasets whose input kind the architecture can take (and that it allows)."""
    from nntui.data import DATASETS

    arch = get_architecture(architecture)
    names = [n for n, info in DATASETS.items() if info.input_kind in arch.input_kinds]
    return [n for n in names if n in arch.datasets] if arch.datasets else names
