"""nntui: a neural-network lab in the terminal.

The Python API is Keras-shaped and scikit-learn-shaped, so course snippets run after
changing the import::

    import nntui
    from nntui import layers
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])

    from nntui import MLPClassifier    # was: from sklearn.neural_network import MLPClassifier
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

from nntui import layers, losses, optimizers, regularizers
from nntui.engine.learner import Learner
from nntui.engine.model import Input, Sequential
from nntui.engine.reporting import set_reporters
from nntui.errors import NntuiError


def _rich_progress() -> Any:
    from nntui.commands.progress import ProgressPrinter

    return ProgressPrinter()


def _rich_summary(model: Learner, print_fn: Callable[[str], None] | None) -> None:
    from nntui.viz.summary import render_summary

    render_summary(model, print_fn)


# The engine prints nothing itself: fit's progress bar and summary()'s table are Rich's.
set_reporters(progress=_rich_progress, summary=_rich_summary)

if os.environ.get("NNTUI_WATCH"):  # under `nntui run`: every fit of the script is watched
    from nntui.watch import watch_from_environment

    watch_from_environment()

__version__ = "0.1.0"
__all__ = ["Dashboard", "Input", "MLPClassifier", "MLPRegressor", "NntuiError", "Sequential",
           "callbacks", "layers", "losses", "models", "optimizers", "regularizers", "utils"]


def __getattr__(name: str) -> Any:
    # the estimators and Keras's other namespaces load on first use: `import nntui` stays
    # light, and `import nntui as keras` still reaches keras.models.load_model,
    # keras.callbacks.EarlyStopping and keras.utils.to_categorical
    if name in ("MLPClassifier", "MLPRegressor"):
        from nntui import neural_network

        return getattr(neural_network, name)
    if name == "Dashboard":
        from nntui.watch import Dashboard

        return Dashboard
    if name in ("callbacks", "models", "utils"):
        return importlib.import_module(f"nntui.{name}")
    raise AttributeError(f"module 'nntui' has no attribute {name!r}")
