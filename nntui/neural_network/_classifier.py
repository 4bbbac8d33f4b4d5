"""``MLPClassifier``: scikit-learn's multi-layer perceptron classifier, trained by nntui."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import ConfigError
from nntui.neural_network._base import BaseMLP
from nntui.neural_network._inputs import accuracy, check_y
from nntui.neural_network._labels import LabelBinarizer, target_type


class MLPClassifier(BaseMLP):
    """Multi-layer perceptron classifier with scikit-learn's parameters, defaults, rules and
    attributes; ``model_`` is the nntui ``Sequential`` that trains (summary, dashboard,
    inspector all work on it).

    Args (scikit-learn's, same defaults):
        hidden_layer_sizes: units per hidden layer, ``(100,)``.
        activation: hidden activation, ``'identity'``, ``'logistic'``, ``'tanh'``, ``'relu'``.
        solver: ``'adam'``, ``'sgd'``, or ``'lbfgs'`` (needs SciPy).
        alpha: L2 strength; each batch adds α·Σ‖W‖² / (2·n_batch) to the loss.
        batch_size: ``'auto'`` = min(200, n_samples).
        learning_rate: SGD's schedule: ``'constant'``, ``'invscaling'``
            (η₀ / (t + 1)^power_t, t samples seen), ``'adaptive'`` (÷5 on plateaus).
        learning_rate_init, power_t, momentum, nesterovs_momentum, beta_1, beta_2, epsilon:
            the solvers' settings.
        max_iter: epochs (iterations for 'lbfgs'); ``max_fun``: 'lbfgs' loss evaluations.
        shuffle, random_state: sample order and initialisation (``RandomState`` draws as
            scikit-learn makes them: the same seed gives the same starting weights).
        tol, n_iter_no_change: stop after ``n_iter_no_change`` epochs without an
            improvement of ``tol`` (training loss, or validation accuracy).
        early_stopping, validation_fraction: hold out a stratified share and keep the
            weights of its best accuracy.
        verbose, warm_start: print progress; continue from the current weights.

    Attributes after ``fit``: ``classes_``, ``coefs_``, ``intercepts_``, ``loss_``,
    ``loss_curve_``, ``best_loss_``, ``validation_scores_``, ``best_validation_score_``,
    ``n_iter_``, ``n_layers_``, ``n_outputs_``, ``out_activation_``, ``t_``,
    ``n_features_in_``, ``model_``.

    Example:
        >>> from nntui import MLPClassifier          # was: from sklearn.neural_network import …
        >>> clf = MLPClassifier(hidden_layer_sizes=(10,), max_iter=500, random_state=1)
        >>> clf.fit(X_train, y_train).score(X_test, y_test)  # doctest: +SKIP
    """

    _estimator_type = "classifier"

    def _targets(self, x: np.ndarray, y: Any, incremental: bool, first: bool) -> np.ndarray:
        y = check_y(y, len(x), numeric=False)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            self._check_known_classes(y)
        target = self._label_binarizer.transform(y)
        return target.reshape(len(x), -1)

    def _check_known_classes(self, y: np.ndarray) -> None:
        if target_type(y) == "multilabel-indicator":
            classes = np.arange(y.shape[1])
        else:
            classes = np.unique(y)
        if self.warm_start and set(classes.tolist()) != set(self.classes_.tolist()):
            raise ConfigError("warm_start can only be used where `y` has the same classes as in "
                              f"the previous call to fit. Previously got {self.classes_}, `y` "
                              f"has {classes}")
        if not self.warm_start and len(np.setdiff1d(classes, self.classes_)):
            raise ConfigError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                              f"{self.classes_}. 'y' has {classes}.")

    def _out_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None,
                    classes: Any = None) -> Any:
        """One epoch over (X, y); the first call needs ``classes`` (every label there will be).

        Raises:
            ConfigError: no ``classes`` on the first call, or different ones later.
        """
        self._check_solver()
        if classes is None and not hasattr(self, "classes_"):
            raise ConfigError("classes must be passed on the first call to partial_fit.")
        if classes is not None:
            classes_now = np.unique(np.asarray(classes))
            if hasattr(self, "classes_"):
                if not np.array_equal(self.classes_, classes_now):
                    raise ConfigError(f"`classes={classes_now!r}` is not the same as on last "
                                      f"call to partial_fit, was: {self.classes_!r}")
            else:
                y_arr = np.asarray(y)
                multilabel = y_arr.ndim == 2 and y_arr.shape[1] > 1
                self._label_binarizer = LabelBinarizer().fit(y_arr if multilabel else classes_now)
                self.classes_ = self._label_binarizer.classes_
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """Class labels (an indicator matrix for multi-label)."""
        return self._predict(X)

    def _predict(self, x: Any, check: bool = True) -> np.ndarray:
        out = self._forward(x, check)
        return self._label_binarizer.inverse_transform(out.ravel() if self.n_outputs_ == 1
                                                       else out)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities (n, n_classes) in ``classes_`` order; rows sum to 1 except for
        multi-label, where each column is that label's own probability."""
        out = self._forward(X)
        if self.n_outputs_ == 1:
            p = out.ravel()
            return np.vstack([1 - p, p]).T
        return out

    def predict_log_proba(self, X: Any) -> np.ndarray:
        return np.log(self.predict_proba(X))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict(X)`` (exact rows for multi-label)."""
        return accuracy(y, self.predict(X), sample_weight)

    def _score(self, x: np.ndarray, y: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        pred = self._forward(x, check=False)
        if not np.isfinite(pred).all():
            return float("nan")
        return accuracy(y, self._label_binarizer.inverse_transform(
            pred.ravel() if self.n_outputs_ == 1 else pred), sample_weight)
