"""Bad parameters and data give one clear line naming the argument and the value (a
ValueError, as scikit-learn raises, and an NntuiError); the estimators need neither
scikit-learn nor SciPy to be imported."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from nntui import MLPClassifier, MLPRegressor
from nntui.errors import NntuiError
from nntui.neural_network import NotFittedError

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
X = np.random.default_rng(0).standard_normal((40, 3))
Y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("kw,match", [
    ({"solver": "newton"}, r"'solver' parameter of MLPClassifier must be one of 'lbfgs', "
                           r"'sgd', 'adam'\. Received: solver='newton'"),
    ({"activation": "softmax"}, r"Received: activation='softmax'"),
    ({"alpha": -1.0}, r"'alpha'.*\[0\.0, inf\).*Received: alpha=-1\.0"),
    ({"learning_rate_init": 0}, r"Received: learning_rate_init=0"),
    ({"momentum": 1.5}, r"'momentum'.*\[0\.0, 1\.0\].*Received: momentum=1\.5"),
    ({"batch_size": 0}, r"'auto' or an integer >= 1\. Received: batch_size=0"),
    ({"max_iter": 2.5}, r"Received: max_iter=2\.5"),
    ({"hidden_layer_sizes": (10, 0)}, r"Received: hidden_layer_sizes=\(10, 0\)"),
    ({"n_iter_no_change": 0}, r"Received: n_iter_no_change=0"),
    ({"random_state": "seed"}, r"Received: random_state='seed'"),
    ({"early_stopping": "yes"}, r"True or False\. Received: early_stopping='yes'"),
])
def test_bad_parameters_name_themselves(kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match) as err:
        MLPClassifier(**kw).fit(X, Y)
    assert isinstance(err.value, NntuiError)


@pytest.mark.parametrize("make,match", [
    (lambda: MLPClassifier().fit(X[:, 0], Y), r"Expected a 2D array, got a 1D array"),
    (lambda: MLPClassifier().fit(np.where(X > 1, np.nan, X), Y), "Input X contains NaN"),
    (lambda: MLPClassifier().fit(X, Y[:30]), "inconsistent numbers of samples"),
    (lambda: MLPClassifier().fit(X, X[:, 0]), "Unknown label type: continuous"),
    (lambda: MLPRegressor().fit(X, np.array(["a"] * 40)), "y must hold numbers"),
    (lambda: MLPRegressor(loss="huber").fit(X, X[:, 0]), r"Received: loss='huber'"),
    (lambda: MLPClassifier(max_iter=2).fit(X, Y).predict(X[:, :2]),
     "X has 2 features, but MLPClassifier is expecting 3"),
    (lambda: MLPClassifier().partial_fit(X, Y), "classes must be passed on the first call"),
    (lambda: MLPClassifier(early_stopping=True).partial_fit(X, Y, classes=[0, 1]),
     "partial_fit does not support early_stopping"),
    (lambda: MLPClassifier(early_stopping=True, validation_fraction=0.0).fit(X, Y),
     "least one sample per class"),
    (lambda: MLPClassifier(max_iter=2).fit(X, Y).set_params(solverr="sgd"),
     r"Invalid parameter 'solverr' for estimator MLPClassifier"),
])
def test_bad_data_and_calls_are_explained(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match), np.errstate(all="ignore"):
        make()


def test_not_fitted_and_lbfgs_partial_fit() -> None:
    with pytest.raises(NotFittedError, match="This MLPRegressor instance is not fitted yet"):
        MLPRegressor().predict(X)
    with pytest.raises(AttributeError, match="lbfgs is not stochastic"):
        MLPClassifier(solver="lbfgs").partial_fit(X, Y, classes=[0, 1])


def test_diverging_training_says_so() -> None:
    with pytest.raises(ValueError, match="non-finite parameter weights"), \
            np.errstate(all="ignore"):
        MLPRegressor(solver="sgd", learning_rate_init=1e6, max_iter=5).fit(X * 1e8, X[:, 0])


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


def test_works_without_sklearn_and_says_what_lbfgs_needs_without_scipy() -> None:
    code = """
import sys, warnings
sys.modules["sklearn"] = None   # as if not installed
sys.modules["scipy"] = None
import numpy as np
from nntui import MLPClassifier
x = np.random.default_rng(0).standard_normal((60, 2)); y = np.where(x[:, 0] > 0, "a", "b")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(x, y)
print(type(caught[-1].message).__name__, clf.predict(x[:2]).tolist())
try:
    MLPClassifier(solver="lbfgs").fit(x, y)
except ValueError as e:
    print(e)
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()[:2]
    assert first.startswith("_NntuiConvergenceWarning ['")
    assert "solver='lbfgs' needs SciPy" in second and "'adam'" in second and "'sgd'" in second


def test_importing_nntui_does_not_import_sklearn() -> None:
    out = _run("import sys, nntui; from nntui import MLPClassifier; "
               "print('sklearn' in sys.modules, 'scipy' in sys.modules)")
    assert out.stdout.split() == ["False", "False"], out.stderr
