"""The 'sgd' and 'adam' solvers: nntui's trainer runs the epochs; a callback applies
scikit-learn's end-of-epoch rules.

After each epoch, in scikit-learn's order: record the loss (``loss_curve_``), count
the samples seen (``t_``), compare with the best so far — the training loss, or with
``early_stopping`` the validation score (accuracy / R²) — by ``tol``, update an
'invscaling' rate to η₀ / (t_ + 1)^power_t, and once ``n_iter_no_change`` epochs in a
row did not improve by ``tol``: stop (an 'adaptive' SGD first divides its rate by 5,
until it falls to 1e-6). Reaching ``max_iter`` warns with ``ConvergenceWarning``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nntui.engine.callbacks import Callback
from nntui.engine.optimizers import SGD, Adam, Optimizer
from nntui.engine.reporting import attach_watchers
from nntui.engine.threads import training_threads
from nntui.engine.trainer import Trainer
from nntui.neural_network._compat import warn_not_converged
from nntui.neural_network._split import shuffle_split, stratified_split


def make_optimizer(est: Any) -> Optimizer:
    if est.solver == "sgd":
        return SGD(learning_rate=est.learning_rate_init, momentum=est.momentum,
                   nesterov=est.nesterovs_momentum)
    return Adam(learning_rate=est.learning_rate_init, beta_1=est.beta_1, beta_2=est.beta_2,
                epsilon=est.epsilon)


def fit_stochastic(est: Any, x: np.ndarray, y: np.ndarray, rs: np.random.RandomState,
                   incremental: bool, weights: np.ndarray | None = None) -> None:
    """Train ``est.model_`` on (x, y): y holds the network's targets (binarized labels),
    ``weights`` one weight per sample (or None)."""
    net = est.model_
    if not incremental or getattr(net, "optimizer", None) is None:
        net.optimizer = make_optimizer(est)
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    x_val = y_val = w_val = None
    if est.early_stopping:
        x, x_val, y, y_val, weights, w_val = _validation_split(est, x, y, weights, rs)
    n = len(x)
    if est.batch_size == "auto":
        batch_size = min(200, n)
    else:
        if est.batch_size > n:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                          "going to be clipped", stacklevel=4)
        batch_size = int(np.clip(est.batch_size, 1, n))
    net.start(n, rs, weights)
    est.n_iter_ = 0
    rule = EpochRule(est, n, x_val, y_val, incremental, w_val)
    trainer = Trainer(net, x, y, batch_size=batch_size, epochs=1 if incremental else est.max_iter,
                      shuffle=bool(est.shuffle), callbacks=[rule], on_divergence="stop")
    trainer.run_name = type(est).__name__
    attach_watchers(trainer)  # `with nntui.Dashboard():` and `nntui run` watch estimators too
    try:
        with training_threads(headless=True):
            trainer.run()
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=4)
    if rule.max_iter_reached:
        warn_not_converged(f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                           "reached and the optimization hasn't converged yet.")
    if est.early_stopping:  # the weights of the best validation score
        est.coefs_, est.intercepts_ = est._best_coefs, est._best_intercepts


def _validation_split(est: Any, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None,
                      rs: np.random.RandomState) -> tuple[Any, ...]:
    """scikit-learn's split: stratified for a single-output classifier only; the sample
    weights follow their samples (x, x_val, y, y_val, weights, weights_val)."""
    if est._estimator_type == "classifier" and est.n_outputs_ == 1:
        train, val = stratified_split(y, est.validation_fraction, rs)
    else:
        train, val = shuffle_split(len(x), est.validation_fraction, rs)
    if len(val) < 2:
        raise ValueError("The validation set is too small. Increase 'validation_fraction' or "
                         "the size of your dataset.")
    y_val = y[val]
    if est._estimator_type == "classifier":
        y_val = est._label_binarizer.inverse_transform(y_val if y_val.shape[1] > 1
                                                       else y_val.ravel())
    if weights is None:
        return x[train], x[val], y[train], y_val, None, None
    return x[train], x[val], y[train], y_val, weights[train], weights[val]


class EpochRule(Callback):
    """scikit-learn's end-of-epoch bookkeeping and stopping rule, as a Keras callback."""

    def __init__(self, est: Any, n: int, x_val: np.ndarray | None, y_val: np.ndarray | None,
                 incremental: bool, w_val: np.ndarray | None = None) -> None:
        super().__init__()
        self.est, self.n, self.x_val, self.y_val, self.w_val = est, n, x_val, y_val, w_val
        self.incremental = incremental
        self.max_iter_reached = False  # fit_stochastic warns, at the caller's line

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        est = self.est
        est.n_iter_ += 1
        est.loss_ = float((logs or {})["loss"])
        est.t_ += self.n
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        self._count_no_improvement()
        opt = self.model.optimizer
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            opt.learning_rate = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        if est._no_improvement_count > est.n_iter_no_change:
            if self._stop_or_slow_down(opt):
                self.model.stop_training = True
                return
            est._no_improvement_count = 0
        if not self.incremental and est.n_iter_ == est.max_iter:
            self.max_iter_reached = True

    def _count_no_improvement(self) -> None:
        est = self.est
        if self.x_val is not None:
            score = est._score(self.x_val, self.y_val, self.w_val)
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:f}")
            if score < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_coefs = [w.copy() for w in est.model_.kernels]
                est._best_intercepts = [b.copy() for b in est.model_.biases]
            return
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        est.best_loss_ = min(est.best_loss_, est.loss_curve_[-1])

    def _stop_or_slow_down(self, opt: Optimizer) -> bool:
        est = self.est
        what = "Validation score" if self.x_val is not None else "Training loss"
        msg = (f"{what} did not improve more than tol={est.tol:f} for "
               f"{est.n_iter_no_change} consecutive epochs.")
        if est.solver != "sgd" or est.learning_rate != "adaptive":
            if est.verbose:
                print(msg + " Stopping.")
            return True
        if opt.learning_rate <= 1e-6:
            if est.verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        opt.learning_rate = opt.learning_rate / 5.0
        if est.verbose:
            print(msg + f" Setting learning rate to {opt.learning_rate:f}")
        return False
