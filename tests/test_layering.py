"""The layering: which parts of nntui may import what, and no import cycles.

Dependencies point one way (STYLE.md): ``app → viz → numbers`` and
``app → architectures → engine ← data``. The engine draws nothing (no Rich, no
Textual); nothing below the app imports Textual.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.import_graph import cycles, graph

HEADLESS = ["engine", "data", "runlog", "inspect", "panel_data", "viz", "architectures",
            "numeric", "presets", "commands", "neural_network"]
NO_RICH = {"engine", "data", "runlog", "inspect", "panel_data", "architectures", "numeric",
           "neural_network"}
ALLOWED = {
    # package: the nntui packages its modules may import (itself and nntui.errors always)
    "engine": set(),
    "data": set(),
    "numeric": set(),
    "viz": {"numeric"},
    "inspect": {"engine", "numeric"},
    "panel_data": {"engine", "numeric"},
    "runlog": {"engine", "data"},
    "architectures": {"engine", "data", "panel_data"},
    "neural_network": {"engine"},  # the scikit-learn-shaped estimators: a view onto the engine
}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "nntui"


@pytest.mark.parametrize("package", HEADLESS)
def test_imports_without_textual_and_the_engine_without_rich(package: str) -> None:
    """Import every module of the package in a fresh interpreter and look at sys.modules."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"root = importlib.import_module('nntui.{package}')\n"
        "for m in pkgutil.walk_packages(getattr(root, '__path__', []), root.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    banned = ["textual"] if package not in NO_RICH else ["rich", "textual"]
    assert not set(eval(out)) & set(banned), f"nntui.{package} pulls in {out}"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(package: str) -> None:
    allowed = ALLOWED[package] | {package, "errors"}
    bad = {(module, target) for module, targets in graph().items()
           if _package(module) == package for target in targets
           if target.startswith("nntui.") and _package(target) not in allowed}
    bad |= {(module, target) for module, targets in graph().items()
            if _package(module) == package for target in targets
            if target.split(".")[0] in ("textual", "plotext")
            or (target.split(".")[0] == "rich" and package in NO_RICH)}
    assert not bad, sorted(bad)


def test_no_import_cycles_between_modules() -> None:
    """Read from the source, counting every import (also those inside functions)."""
    assert cycles(graph()) == []
