"""nntui: a neural-network lab in the terminal.

The Python API is Keras-shaped, so course snippets run after changing the import::

    import nntui
    from nntui import layers
    model = nntui.Sequential([nntui.Input((2,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
"""

from __future__ import annotations

from nntui import layers, losses, optimizers, regularizers
from nntui.engine.model import Input, Sequential
from nntui.errors import NntuiError

__version__ = "0.1.0"
__all__ = ["Input", "NntuiError", "Sequential", "layers", "losses", "optimizers", "regularizers"]
