"""The 'lbfgs' solver: SciPy's L-BFGS-B minimises the full-batch loss, whose value and
gradient come from nntui's network (forward, backward, and the L2 term α·W / n), as
scikit-learn does it. SciPy is not a dependency of nntui: without it, 'lbfgs' says so
and names the solvers that need nothing more."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.errors import ConfigError
from nntui.neural_network._compat import warn_not_converged


def fit_lbfgs(est: Any, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
              ) -> None:
    """Minimise over every weight at once; sets ``n_iter_`` and ``loss_``.

    Raises:
        ConfigError: SciPy is not installed.
    """
    try:
        from scipy.optimize import minimize
    except ImportError as exc:
        raise ConfigError("solver='lbfgs' needs SciPy (pip install scipy), which nntui does "
                          "not require; use solver='adam' or solver='sgd'.") from exc
    net = est.model_
    params = net.kernels + net.biases  # scikit-learn's packing order
    shapes = [p.shape for p in params]
    cuts = np.cumsum([0] + [p.size for p in params])
    ops = net.ops
    yb = ops.asarray(y)
    net.weigh(weights)  # the whole set is one batch
    n = len(x) if weights is None else float(weights.sum())

    def unpack(w: np.ndarray) -> None:
        for i, (layer, name) in enumerate(_slots(net)):
            piece = w[cuts[i]:cuts[i + 1]].reshape(shapes[i])
            layer.params[name] = ops.asarray(piece, ops.dtype)

    def loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        unpack(w)
        for layer in net.layers:
            layer.zero_grad()
        pred = net.forward(ops.asarray(x), training=True)
        value, grad, fused = net.compute_loss_and_grad(yb, pred)
        net.backward(grad, fused=fused, input_grad=False)
        loss = ops.item(value) + net.add_l2(n)
        grads = [layer.grads[name] for layer, name in _slots(net)]
        return loss, np.concatenate([g.ravel() for g in grads]).astype(np.float64)

    start = np.concatenate([p.ravel() for p in params]).astype(np.float64)
    result = minimize(loss_and_grad, start, method="L-BFGS-B", jac=True,
                      options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol})
    est.n_iter_ = min(int(result.nit), est.max_iter)
    est.loss_ = float(result.fun)
    unpack(result.x)
    if result.status != 0:
        msg = (f"lbfgs failed to converge after {est.n_iter_} iteration(s) "
               f"(status={result.status}):\n{result.message}\n")
        if est.n_iter_ == est.max_iter:
            msg += ("\nIncrease the number of iterations to improve the convergence "
                    f"(max_iter={est.max_iter}).")
        msg += ("\nYou might also want to scale the data as shown in:\n"
                "    https://scikit-learn.org/stable/modules/preprocessing.html")
        warn_not_converged(msg)


def _slots(net: Any) -> list[tuple[Any, str]]:
    """(layer, parameter name) in the packing order: every kernel, then every bias."""
    return [(layer, "kernel") for layer in net.layers] + [(layer, "bias") for layer in net.layers]
