"""What ``MLPClassifier`` and ``MLPRegressor`` share: scikit-learn's parameters, the network
(``model_``, an nntui ``Sequential``) with scikit-learn's initialisation, ``fit`` /
``partial_fit``, and the fitted attributes as views onto the network's weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import ShapeError, TrainingDiverged
from nntui.neural_network._compat import EstimatorParams, NotFittedError, sklearn_tags
from nntui.neural_network._inputs import check_sample_weight, check_x, feature_names
from nntui.neural_network._lbfgs import fit_lbfgs
from nntui.neural_network._net import LOSSES, MLPNet
from nntui.neural_network._params import check_params, hidden_layer_sizes, random_state
from nntui.neural_network._stochastic import fit_stochastic


class NonFiniteWeights(TrainingDiverged, ValueError):
    """Training made a weight NaN or infinite (scikit-learn raises a ValueError)."""


class BaseMLP(EstimatorParams):
    """The shared machinery; see :class:`MLPClassifier` for the parameters."""

    _estimator_type = "unknown"
    # set by fit (declared for the type checker; absent until then, as scikit-learn's)
    model_: MLPNet
    n_features_in_: int
    loss_: float

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 0.0001, batch_size: Any = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 0.001,
                 power_t: float = 0.5, max_iter: int = 200, shuffle: bool = True,
                 random_state: Any = None, tol: float = 1e-4, verbose: Any = False,
                 warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False,
                 validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, n_iter_no_change: Any = 10, max_fun: int = 15000
                 ) -> None:
        self.hidden_layer_sizes, self.activation, self.solver = (
            hidden_layer_sizes, activation, solver)
        self.alpha, self.batch_size, self.learning_rate = alpha, batch_size, learning_rate
        self.learning_rate_init, self.power_t, self.max_iter = (
            learning_rate_init, power_t, max_iter)
        self.shuffle, self.random_state, self.tol = shuffle, random_state, tol
        self.verbose, self.warm_start, self.momentum = verbose, warm_start, momentum
        self.nesterovs_momentum, self.early_stopping = nesterovs_momentum, early_stopping
        self.validation_fraction, self.beta_1, self.beta_2 = validation_fraction, beta_1, beta_2
        self.epsilon, self.n_iter_no_change, self.max_fun = epsilon, n_iter_no_change, max_fun

    # scikit-learn's tools ------------------------------------------------------------
    def __sklearn_tags__(self) -> Any:
        return sklearn_tags(self._estimator_type, self._estimator_type == "classifier")

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call "
                                 "'fit' with appropriate arguments before using this estimator.")

    # fitted attributes: views onto the network -----------------------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Kernels (n_in, n_out) per layer: the network's own arrays."""
        self._check_is_fitted()
        return self.model_.kernels

    @coefs_.setter
    def coefs_(self, values: list[np.ndarray]) -> None:
        self._set_weights("kernel", values)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Biases (n_out,) per layer: the network's own arrays."""
        self._check_is_fitted()
        return self.model_.biases

    @intercepts_.setter
    def intercepts_(self, values: list[np.ndarray]) -> None:
        self._set_weights("bias", values)

    def _set_weights(self, name: str, values: list[np.ndarray]) -> None:
        self._check_is_fitted()
        layers = self.model_.layers
        if len(values) != len(layers):
            raise ShapeError(f"expected {len(layers)} arrays for {name}s, received {len(values)}")
        for layer, value in zip(layers, values, strict=True):
            layer.set_weights([np.asarray(value) if n == name else layer.params[n]
                               for n in ("kernel", "bias")])

    # fitting -----------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Train on (X, y) for up to ``max_iter`` epochs; returns the estimator."""
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, x: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        owner = type(self).__name__
        check_params(owner, self.get_params())
        self._check_loss()
        sizes = hidden_layer_sizes(owner, self.hidden_layer_sizes)
        first = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        names = feature_names(x)
        x = check_x(x, owner, None if first else self.n_features_in_)
        weights = check_sample_weight(sample_weight, x)
        target = self._targets(x, y, incremental, first)
        rs = random_state(self.random_state)
        if first:
            self.n_features_in_ = x.shape[1]
            if names is not None:
                self.feature_names_in_ = names
            self._initialize(target, [x.shape[1], *sizes, target.shape[1]], x.dtype, rs)
        elif target.shape[1] != self.n_outputs_:
            raise ShapeError(f"y has {target.shape[1]} outputs but the network was fitted with "
                             f"{self.n_outputs_}; refit without warm_start")
        if self.solver == "lbfgs":
            fit_lbfgs(self, x, target, weights)
        else:
            fit_stochastic(self, x, target, rs, incremental, weights)
        weights_ok = all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_)
        if not weights_ok or not np.isfinite(self.loss_):
            raise NonFiniteWeights(
                f"Solver produced non-finite parameter weights (or loss: {self.loss_}). The "
                "input data may contain large values and need to be preprocessed (e.g. "
                "StandardScaler), or learning_rate_init may be too large.")
        return self

    def _check_loss(self) -> None:
        """The regressor checks its ``loss`` here."""

    def _targets(self, x: np.ndarray, y: Any, incremental: bool, first: bool) -> np.ndarray:
        """The network's targets (n, n_outputs) for y; subclasses write it."""
        raise NotImplementedError

    def _out_activation(self) -> str:
        raise NotImplementedError

    def _initialize(self, y: np.ndarray, layer_units: list[int], dtype: np.dtype,
                    rs: np.random.RandomState) -> None:
        """A new network, with scikit-learn's Glorot-uniform draws from ``rs``: per layer
        the kernel, then the bias, each U(±sqrt(f / (fan_in + fan_out))), f = 2 for
        'logistic' and 6 otherwise."""
        self.n_iter_, self.t_ = 0, 0
        self.n_outputs_, self.n_layers_ = y.shape[1], len(layer_units)
        self.out_activation_ = self._out_activation()
        net = MLPNet(layer_units, self.activation, self.out_activation_, self.alpha,
                     np.dtype(dtype).name)
        net.compile(optimizer="sgd", loss=LOSSES[self.out_activation_]())
        net.optimizer = None  # each fit makes the solver's own
        factor = 2.0 if self.activation == "logistic" else 6.0
        for layer, fan_in, fan_out in zip(net.layers, layer_units[:-1], layer_units[1:],
                                          strict=True):
            bound = np.sqrt(factor / (fan_in + fan_out))
            kernel = rs.uniform(-bound, bound, (fan_in, fan_out))
            layer.set_weights([kernel, rs.uniform(-bound, bound, fan_out)])
        self.model_ = net
        self._best_coefs = [w.copy() for w in net.kernels]
        self._best_intercepts = [b.copy() for b in net.biases]
        if self.solver == "lbfgs":
            return
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_: float | None = None
        else:
            self.best_loss_, self.validation_scores_, self.best_validation_score_ = (
                np.inf, None, None)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """One epoch over (X, y), continuing from the current weights and solver state."""
        self._check_solver()
        return self._fit(X, y, sample_weight, incremental=True)

    def _check_solver(self) -> None:
        if self.solver not in ("sgd", "adam"):
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")

    # predicting ----------------------------------------------------------------------------
    def _forward(self, x: Any, check: bool = True) -> np.ndarray:
        """The network's outputs (n, n_outputs) for X."""
        self._check_is_fitted()
        if check:
            x = check_x(x, type(self).__name__, self.n_features_in_)
        return self.model_.predict_arrays(x, batch_size=4096)
