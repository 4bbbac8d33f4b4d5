"""scikit-learn's parameter rules for the MLP estimators, checked when ``fit`` starts (as
scikit-learn checks them), each failure one line naming the parameter and its value."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from nntui.errors import ConfigError

CHOICES: dict[str, tuple[str, ...]] = {
    "activation": ("identity", "logistic", "tanh", "relu"),
    "solver": ("lbfgs", "sgd", "adam"),
    "learning_rate": ("constant", "invscaling", "adaptive"),
}
# name: (low, high, low closed, high closed); None: unbounded
REAL_RANGES: dict[str, tuple[float, float | None, bool, bool]] = {
    "alpha": (0.0, None, True, False),
    "learning_rate_init": (0.0, None, False, False),
    "power_t": (0.0, None, True, False),
    "tol": (0.0, None, True, False),
    "momentum": (0.0, 1.0, True, True),
    "validation_fraction": (0.0, 1.0, True, False),
    "beta_1": (0.0, 1.0, True, False),
    "beta_2": (0.0, 1.0, True, False),
    "epsilon": (0.0, None, False, False),
}
POSITIVE_INTS = ("max_iter", "max_fun")
FLAGS = ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping")


def _fail(owner: str, name: str, rule: str, value: Any) -> ConfigError:
    return ConfigError(f"The {name!r} parameter of {owner} must be {rule}. "
                       f"Received: {name}={value!r}")


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def check_params(owner: str, params: dict[str, Any]) -> None:
    """Raise a ConfigError for the first parameter scikit-learn would reject."""
    for name, options in CHOICES.items():
        if params[name] not in options:
            raise _fail(owner, name, "one of " + ", ".join(map(repr, options)), params[name])
    for name, (low, high, low_in, high_in) in REAL_RANGES.items():
        v = params[name]
        ok = _is_real(v) and not np.isnan(v) and (v >= low if low_in else v > low)
        if ok and high is not None:
            ok = v <= high if high_in else v < high
        if not ok:
            span = f"{'[' if low_in else '('}{low}, {high if high is not None else 'inf'}" \
                   f"{']' if high_in else ')'}"
            raise _fail(owner, name, f"a number in {span}", v)
    for name in POSITIVE_INTS:
        if not _is_int(params[name]) or params[name] < 1:
            raise _fail(owner, name, "an integer >= 1", params[name])
    for name in FLAGS:
        if not isinstance(params[name], (bool, np.bool_)):
            raise _fail(owner, name, "True or False", params[name])
    _check_special(owner, params)


def _check_special(owner: str, params: dict[str, Any]) -> None:
    batch = params["batch_size"]
    if batch != "auto" and (not _is_int(batch) or batch < 1):
        raise _fail(owner, "batch_size", "'auto' or an integer >= 1", batch)
    n_iter = params["n_iter_no_change"]
    if not ((_is_int(n_iter) and n_iter >= 1) or n_iter == np.inf):
        raise _fail(owner, "n_iter_no_change", "an integer >= 1 or numpy.inf", n_iter)
    rs = params["random_state"]
    if not (rs is None or isinstance(rs, np.random.RandomState)
            or (_is_int(rs) and 0 <= rs < 2**32)):
        raise _fail(owner, "random_state", "None, an integer in [0, 2**32) or a "
                    "numpy.random.RandomState", rs)
    if not (isinstance(params["verbose"], (bool, np.bool_)) or _is_int(params["verbose"])):
        raise _fail(owner, "verbose", "True, False or an integer", params["verbose"])
    hidden_layer_sizes(owner, params["hidden_layer_sizes"])


def hidden_layer_sizes(owner: str, value: Any) -> list[int]:
    """The hidden sizes as a list (an int means one hidden layer; () means none).

    Raises:
        ConfigError: a size that is not a positive integer.
    """
    sizes = list(value) if hasattr(value, "__iter__") and not isinstance(value, str) else [value]
    if not all(_is_int(s) and s > 0 for s in sizes):
        raise _fail(owner, "hidden_layer_sizes", "positive integers, e.g. (100,) or (64, 32)",
                    value)
    return [int(s) for s in sizes]


def random_state(value: Any) -> np.random.RandomState:
    """scikit-learn's ``check_random_state``: an int seeds a new RandomState, an instance is
    used as it is (and advances), None uses NumPy's global RandomState (so a course's
    ``np.random.seed(0)`` makes ``random_state=None`` reproducible, as with scikit-learn)."""
    if isinstance(value, np.random.RandomState):
        return value
    if value is None:
        return np.random.mtrand._rand  # type: ignore[attr-defined]
    return np.random.RandomState(value)
