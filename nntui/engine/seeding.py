"""One seed for everything a script does not seed itself: ``set_random_seed`` (Keras's
``keras.utils.set_random_seed``), as course notes call it before building a model.

After ``set_random_seed(s)``, every generator made without its own seed (a model's
initialisation and shuffling, dropout masks, attention dropout) is drawn from one stream
started at ``s``, so a script run twice gives the same numbers; Python's ``random`` and
NumPy's global generator are seeded too, as Keras does. A generator given its own seed
is never affected.
"""

from __future__ import annotations

import random

import numpy as np

from nntui.engine.arguments import check_seed

_stream: np.random.Generator | None = None


def set_random_seed(seed: int) -> None:
    """Seed every generator nntui makes without a seed of its own, ``random`` and
    ``numpy.random``.

    Raises:
        ConfigError: ``seed`` is not a non-negative whole number.
    """
    global _stream
    checked = check_seed(seed)
    if checked is None:
        from nntui.errors import ConfigError

        raise ConfigError("set_random_seed needs a non-negative integer. Received: seed=None")
    _stream = np.random.default_rng(checked)
    random.seed(checked)
    np.random.seed(checked % 2**32)


def make_rng(seed: int | None) -> np.random.Generator:
    """``default_rng(seed)``; without a seed, the next generator of the global stream
    when ``set_random_seed`` was called, else fresh entropy."""
    if seed is None and _stream is not None:
        return np.random.default_rng(_stream.integers(2**63))
    return np.random.default_rng(seed)
