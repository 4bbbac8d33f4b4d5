"""scikit-learn is the oracle: with the same data and ``random_state``, nntui's estimators
start from the same weights, see the same batches and stop by the same rule, so loss
curves, ``n_iter_``, scores and fitted attributes agree; the acceptance bar (test scores
within 2 points on four datasets) is asserted besides the much tighter curve match."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import datasets  # noqa: E402
from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from nntui import MLPClassifier, MLPRegressor  # noqa: E402


def _split(name: str) -> list[np.ndarray]:
    x, y = {
        "classification": lambda: datasets.make_classification(300, 10, random_state=0),
        "digits": lambda: datasets.load_digits(return_X_y=True),
        "iris": lambda: datasets.load_iris(return_X_y=True),
        "regression": lambda: datasets.make_regression(300, 6, n_targets=2, noise=5,
                                                       random_state=0),
    }[name]()
    return train_test_split(x, y, random_state=0)


def _both(name: str, **kw: Any) -> tuple[Any, Any, list[np.ndarray]]:
    xtr, xte, ytr, yte = _split(name)
    ours_cls, theirs_cls = ((MLPRegressor, sk.MLPRegressor) if name == "regression"
                            else (MLPClassifier, sk.MLPClassifier))
    kw = {"hidden_layer_sizes": (32,), "random_state": 0, "max_iter": 200,
          "learning_rate_init": 0.01, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return (ours_cls(**kw).fit(xtr, ytr), theirs_cls(**kw).fit(xtr, ytr),
                [xtr, xte, ytr, yte])


@pytest.mark.parametrize("name", ["classification", "digits", "iris", "regression"])
def test_scores_within_two_points_and_the_same_loss_curve(name: str) -> None:
    ours, theirs, (_, xte, _, yte) = _both(name)
    assert abs(ours.score(xte, yte) - theirs.score(xte, yte)) <= 0.02
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    curve = ours.loss_curve_
    assert len(curve) == ours.n_iter_ and curve[-1] < 0.5 * curve[0]
    fifth = len(curve) // 5
    assert np.mean(curve[-fifth:]) < np.mean(curve[fifth:2 * fifth]) < np.mean(curve[:fifth])


@pytest.mark.parametrize("kw", [
    {"solver": "sgd"}, {"solver": "sgd", "nesterovs_momentum": False},
    {"solver": "sgd", "momentum": 0.0, "learning_rate": "invscaling", "power_t": 0.3},
    {"solver": "sgd", "learning_rate": "adaptive", "tol": 0.05, "n_iter_no_change": 2},
    {"solver": "adam", "beta_1": 0.8, "epsilon": 1e-6, "alpha": 0.1, "batch_size": 16},
    {"solver": "adam", "shuffle": False, "activation": "logistic"},
    {"activation": "tanh", "hidden_layer_sizes": (8, 8)},
    {"activation": "identity", "hidden_layer_sizes": ()},
])
def test_each_solver_and_setting_follows_sklearn(kw: dict) -> None:
    ours, theirs, (_, xte, _, _) = _both("iris", **{"max_iter": 60, **kw})
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(xte), theirs.predict_proba(xte), atol=1e-9)


def test_adaptive_sgd_divides_its_rate_as_sklearn() -> None:
    ours, theirs, _ = _both("iris", solver="sgd", learning_rate="adaptive", tol=0.05,
                            n_iter_no_change=2, max_iter=60)
    assert ours.model_.optimizer.learning_rate == pytest.approx(
        theirs._optimizer.learning_rate, rel=1e-12)
    assert ours.model_.optimizer.learning_rate < 0.01 / 5  # it did slow down, twice or more


@pytest.mark.parametrize("name", ["classification", "iris", "regression"])
def test_early_stopping_stops_at_sklearns_epoch(name: str) -> None:
    """The held-out samples are drawn as train_test_split draws them (stratified for the
    binary case), so n_iter_ and every validation score are sklearn's exactly."""
    ours, theirs, (_, xte, _, yte) = _both(name, early_stopping=True, max_iter=300)
    assert ours.n_iter_ == theirs.n_iter_ < 300
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-12)
    assert ours.best_validation_score_ == theirs.best_validation_score_
    assert ours.best_loss_ is None and ours.score(xte, yte) == theirs.score(xte, yte)


def test_the_same_weights_copied_in_give_the_same_next_epochs() -> None:
    """Weights from scikit-learn after one epoch, copied into an estimator that started
    elsewhere: the following epochs match."""
    xtr, _, ytr, _ = _split("digits")
    kw = {"hidden_layer_sizes": (40,), "warm_start": True, "max_iter": 1}
    theirs = sk.MLPClassifier(random_state=0, **kw)
    ours = MLPClassifier(random_state=7, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(xtr, ytr)
        ours.fit(xtr, ytr)
        ours.coefs_ = [w.copy() for w in theirs.coefs_]
        ours.intercepts_ = [b.copy() for b in theirs.intercepts_]
        ours.set_params(random_state=0, max_iter=8)
        theirs.set_params(max_iter=8)
        ours.fit(xtr, ytr)
        theirs.fit(xtr, ytr)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-10)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_lbfgs_follows_sklearn() -> None:
    pytest.importorskip("scipy")
    ours, theirs, (_, xte, _, yte) = _both("iris", solver="lbfgs", max_iter=100)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    assert ours.score(xte, yte) == theirs.score(xte, yte)
    assert not hasattr(ours, "loss_curve_") and not hasattr(theirs, "loss_curve_")


def test_probabilities_and_labels_of_every_target_kind() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 4))
    labels = {
        "strings": np.array(["cat", "dog", "emu"])[rng.integers(0, 3, 120)],
        "binary": np.array([-1, 1])[(x[:, 0] > 0).astype(int)],
        "multilabel": (x[:, :3] > 0).astype(int),
    }
    for kind, y in labels.items():
        ours = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
        theirs = sk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours.fit(x, y)
            theirs.fit(x, y)
        proba = ours.predict_proba(x)
        np.testing.assert_allclose(proba, theirs.predict_proba(x), atol=1e-10, err_msg=kind)
        np.testing.assert_array_equal(ours.predict(x), theirs.predict(x))
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
        if kind != "multilabel":
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


def test_fitted_attributes_have_sklearns_shapes() -> None:
    for name in ("iris", "regression"):
        ours, theirs, _ = _both(name, hidden_layer_sizes=(7, 5), max_iter=5)
        for attr in ("n_layers_", "n_outputs_", "out_activation_", "n_iter_", "t_",
                     "n_features_in_", "best_validation_score_", "validation_scores_"):
            assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert [w.shape for w in ours.coefs_] == [w.shape for w in theirs.coefs_]
        assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-12)
        assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 5


def test_partial_fit_matches_sklearn_call_by_call() -> None:
    xtr, _, ytr, _ = _split("iris")
    ours, theirs = MLPClassifier(random_state=0), sk.MLPClassifier(random_state=0)
    for _ in range(3):
        ours.partial_fit(xtr, ytr, classes=[0, 1, 2])
        theirs.partial_fit(xtr, ytr, classes=[0, 1, 2])
        assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-12)
    assert (ours.n_iter_, ours.t_) == (theirs.n_iter_, theirs.t_)


def test_max_iter_warns_with_sklearns_convergence_warning() -> None:
    xtr, _, ytr, _ = _split("iris")
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(max_iter=3, random_state=0).fit(xtr, ytr)
