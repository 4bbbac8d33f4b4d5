"""What scikit-learn 1.7+ added to its MLPs: ``sample_weight`` (each batch's loss is the
weighted mean of its samples' losses, the L2 term divides by the batch's weight sum,
early stopping splits the weights with their samples and scores with them) and
``loss='poisson'`` (exponential output, half the Poisson deviance). scikit-learn is the
oracle: same data, weights and ``random_state`` give the same loss curve."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn import datasets  # noqa: E402
from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from nntui import MLPClassifier, MLPRegressor  # noqa: E402
from nntui.errors import ShapeError  # noqa: E402

if "sample_weight" not in inspect.signature(sk.MLPClassifier.fit).parameters:
    pytest.skip("this scikit-learn has no sample_weight or poisson in its MLPs (1.7+)",
                allow_module_level=True)


def data(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    if kind == "regression":
        x, y = datasets.make_regression(240, 5, n_targets=2, noise=3, random_state=0)
        y = y / 100.0  # SGD at 0.01 diverges on targets in the hundreds, scikit-learn's too
    elif kind == "binary":
        x, y = datasets.make_classification(240, 6, random_state=0)
    else:
        x, y = datasets.make_classification(240, 6, n_informative=4, n_classes=3,
                                            random_state=0)
    return x, y, rng.uniform(0.1, 3.0, len(x))


def fitted(kind: str, w: Any, **kw: Any) -> tuple[Any, Any]:
    x, y, weights = data(kind)
    ours_cls, theirs_cls = ((MLPRegressor, sk.MLPRegressor) if kind == "regression"
                            else (MLPClassifier, sk.MLPClassifier))
    kw = {"hidden_layer_sizes": (16,), "random_state": 0, "max_iter": 25, "alpha": 1e-3,
          "learning_rate_init": 0.01, "batch_size": 50, **kw}
    sw = weights if w == "random" else w
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return (ours_cls(**kw).fit(x, y, sample_weight=sw),
                theirs_cls(**kw).fit(x, y, sample_weight=sw))


@pytest.mark.parametrize("kind", ["multiclass", "binary", "regression"])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_weighted_training_follows_sklearn(kind: str, solver: str) -> None:
    ours, theirs = fitted(kind, "random", solver=solver)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-7)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_weights_change_the_fit_and_equal_weights_do_not() -> None:
    weighted, _ = fitted("multiclass", "random")
    plain, _ = fitted("multiclass", None)
    twos, _ = fitted("multiclass", 2.0)  # a scalar: the same weight for every sample
    assert not np.allclose(weighted.loss_curve_, plain.loss_curve_)
    # equal weights: the weighted mean is the mean, only the L2 term's divisor doubles
    assert twos.loss_curve_[0] == pytest.approx(plain.loss_curve_[0], rel=1e-3)


def test_lbfgs_and_early_stopping_with_weights_follow_sklearn() -> None:
    ours, theirs = fitted("multiclass", "random", solver="lbfgs", max_iter=40)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    ours, theirs = fitted("binary", "random", early_stopping=True, max_iter=60)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-9)


def test_partial_fit_with_weights_follows_sklearn() -> None:
    x, y, w = data("multiclass")
    kw = {"hidden_layer_sizes": (8,), "random_state": 0, "batch_size": 40}
    ours, theirs = MLPClassifier(**kw), sk.MLPClassifier(**kw)
    for _ in range(3):
        ours.partial_fit(x, y, classes=[0, 1, 2], sample_weight=w)
        theirs.partial_fit(x, y, classes=[0, 1, 2], sample_weight=w)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-7)


@pytest.mark.parametrize("bad, match", [
    (np.ones(5), r"sample_weight.shape == \(5,\), expected \(240,\)"),
    (np.ones((240, 2)), r"sample_weight.shape == \(240, 2\)"),
    (np.full(240, np.nan), "NaN or infinity"),
    (["a"] * 240, "must hold numbers"),
])
def test_bad_weights_are_one_clear_error(bad: Any, match: str) -> None:
    x, y, _ = data("binary")
    with pytest.raises(ShapeError, match=match):
        MLPClassifier(max_iter=2).fit(x, y, sample_weight=bad)


def counts() -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts whose log-rate is linear in x (two targets)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 4))
    rate = np.exp(x @ np.array([[0.4, -0.2], [0.3, 0.1], [-0.5, 0.3], [0.2, 0.2]]) + 0.5)
    return x, rng.poisson(rate).astype(float)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("weighted", [False, True])
def test_poisson_loss_follows_sklearn(solver: str, weighted: bool) -> None:
    x, y = counts()
    w = np.random.default_rng(4).uniform(0.2, 2.0, len(x)) if weighted else None
    kw = {"loss": "poisson", "solver": solver, "hidden_layer_sizes": (8,), "random_state": 0,
          "max_iter": 30, "learning_rate_init": 0.01}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPRegressor(**kw).fit(x, y, sample_weight=w)
        theirs = sk.MLPRegressor(**kw).fit(x, y, sample_weight=w)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    assert ours.n_iter_ == theirs.n_iter_
    if solver == "adam":
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-7)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x), rtol=1e-6)
    assert (ours.predict(x) > 0).all()  # the log link: a rate is never negative
