"""The estimators inside scikit-learn's own tools: clone, Pipeline with StandardScaler,
GridSearchCV and cross_val_score, each giving what scikit-learn's estimator gives there."""

from __future__ import annotations

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import neural_network as sk  # noqa: E402
from sklearn.base import clone, is_classifier, is_regressor  # noqa: E402
from sklearn.datasets import make_moons, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from nntui import MLPClassifier, MLPRegressor  # noqa: E402
from nntui.engine.model import Sequential  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
KW = {"hidden_layer_sizes": (16,), "max_iter": 60, "random_state": 0, "learning_rate_init": 0.01}


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    x, y = make_moons(240, noise=0.25, random_state=0)
    return x * [30.0, 0.1] + [5.0, 0.0], y  # badly scaled: the scaler matters


def test_clone_copies_parameters_not_the_fit(moons: tuple) -> None:
    fitted = MLPClassifier(alpha=0.01, **KW).fit(*moons)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "model_")
    check_is_fitted(fitted)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        check_is_fitted(copy)
    assert repr(copy) == ("MLPClassifier(alpha=0.01, hidden_layer_sizes=(16,), "
                          "learning_rate_init=0.01, max_iter=60, random_state=0)")
    assert is_classifier(copy) and is_regressor(MLPRegressor())


def test_cross_val_score_equals_sklearns(moons: tuple) -> None:
    ours = cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(**KW)), *moons, cv=3)
    theirs = cross_val_score(make_pipeline(StandardScaler(), sk.MLPClassifier(**KW)), *moons,
                             cv=3)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.mean() > 0.85


def test_grid_search_picks_what_sklearn_picks(moons: tuple) -> None:
    grid = {"mlpclassifier__alpha": [1e-4, 3.0], "mlpclassifier__hidden_layer_sizes": [(16,)]}
    ours = GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(**KW)), grid, cv=3)
    theirs = GridSearchCV(make_pipeline(StandardScaler(), sk.MLPClassifier(**KW)), grid, cv=3)
    ours.fit(*moons)
    theirs.fit(*moons)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], rtol=1e-12)
    assert isinstance(ours.best_estimator_[-1].model_, Sequential)


def test_regressor_in_a_pipeline_scores_as_sklearn() -> None:
    x, y = make_regression(200, 5, n_targets=2, noise=3, random_state=1)
    ours = make_pipeline(StandardScaler(), MLPRegressor(**KW)).fit(x, y)
    theirs = make_pipeline(StandardScaler(), sk.MLPRegressor(**KW)).fit(x, y)
    assert ours.score(x, y) == pytest.approx(theirs.score(x, y), rel=1e-9)
    assert ours.predict(x).shape == theirs.predict(x).shape == (200, 2)
