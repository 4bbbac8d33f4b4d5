"""``MLPRegressor``: scikit-learn's multi-layer perceptron regressor, trained by nntui."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import ConfigError
from nntui.neural_network._base import BaseMLP
from nntui.neural_network._inputs import check_y, r2


class MLPRegressor(BaseMLP):
    """Multi-layer perceptron regressor, one or several targets. Parameters, defaults and
    attributes are scikit-learn's (see :class:`MLPClassifier`); ``loss`` is
    ``'squared_error'`` (identity output, half the squared error) or ``'poisson'`` (an
    exponential output, the log link, and half the Poisson deviance).
    ``early_stopping`` keeps the weights of the best validation R².

    Example:
        >>> from nntui import MLPRegressor           # was: from sklearn.neural_network import …
        >>> reg = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=500, random_state=0)
        >>> reg.fit(X_train, y_train).score(X_test, y_test)  # doctest: +SKIP
    """

    _estimator_type = "regressor"

    def __init__(self, loss: str = "squared_error", hidden_layer_sizes: Any = (100,),
                 activation: str = "relu", *, solver: str = "adam", alpha: float = 0.0001,
                 batch_size: Any = "auto", learning_rate: str = "constant",
                 learning_rate_init: float = 0.001, power_t: float = 0.5, max_iter: int = 200,
                 shuffle: bool = True, random_state: Any = None, tol: float = 1e-4,
                 verbose: Any = False, warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False,
                 validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, n_iter_no_change: Any = 10, max_fun: int = 15000
                 ) -> None:
        super().__init__(
            hidden_layer_sizes, activation, solver=solver, alpha=alpha, batch_size=batch_size,
            learning_rate=learning_rate, learning_rate_init=learning_rate_init,
            power_t=power_t, max_iter=max_iter, shuffle=shuffle, random_state=random_state,
            tol=tol, verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun)
        self.loss = loss

    def _check_loss(self) -> None:
        if self.loss not in ("squared_error", "poisson"):
            raise ConfigError("The 'loss' parameter of MLPRegressor must be a str among "
                              f"{{'poisson', 'squared_error'}}. Received: loss={self.loss!r}")

    def _targets(self, x: np.ndarray, y: Any, incremental: bool, first: bool) -> np.ndarray:
        return check_y(y, len(x), numeric=True).reshape(len(x), -1)

    def _out_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, (n,) for one target, (n, n_outputs) for several."""
        out = self._forward(X)
        return out.ravel() if out.shape[1] == 1 else out

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of ``predict(X)``, averaged over targets."""
        return r2(y, self.predict(X), sample_weight)

    def _score(self, x: np.ndarray, y: np.ndarray,
               sample_weight: np.ndarray | None = None) -> float:
        pred = self._forward(x, check=False)
        if not np.isfinite(pred).all():
            return float("nan")
        return r2(y, pred, sample_weight)
