"""The nntui network behind an estimator: a ``Sequential`` of Dense layers trained with
scikit-learn's exact rules, so that the same ``random_state`` gives the same numbers.

What differs from a plain Keras-style ``Sequential``:
  * losses: scikit-learn's log-loss (softmax: −Σ y·log p / n; sigmoid outputs: the
    binary log-loss summed over outputs, / n) and half the squared error (0.5 · mean);
    their gradient at the output pre-activation is (ŷ − y) / n in every case, as in
    scikit-learn (for several regression targets that is the gradient of the sum over
    outputs, while the reported loss is the mean: scikit-learn's own convention);
  * L2: each batch adds α·Σ‖W‖² / (2 n_batch) to the loss and α·W / n_batch to each
    kernel's gradient (biases are not penalised);
  * batches: sample order reshuffled each epoch by ``RandomState.permutation`` composed
    with the previous order, slices of ``batch_size`` (scikit-learn's ``shuffle`` of its
    index array).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nntui.engine.backend.base import Array, Backend
from nntui.engine.layers.dense import Dense
from nntui.engine.losses import Loss
from nntui.engine.model import Input, Sequential

HIDDEN = {"identity": None, "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OUTPUT = {"softmax": "softmax", "logistic": "sigmoid", "identity": None, "exp": "exponential"}


def _eps(pred: Array) -> float:
    return float(np.finfo(pred.dtype).eps)


class LogLoss(Loss):
    """L = −1/n Σ_n Σ_k y·log ŷ, ŷ clipped to [ε, 1 − ε] (ε of the dtype); softmax head."""

    name = "log_loss"
    fused_activation = "softmax"
    formula = "L = −1/N Σ_n Σ_k y_nk·log ŷ_nk"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        p = ops.clip(y_pred, _eps(y_pred), 1.0 - _eps(y_pred))
        return -ops.sum(y_true * ops.log(p)) / float(y_pred.shape[0])

    def fused_gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) * (1.0 / float(y_pred.shape[0]))


class BinaryLogLoss(LogLoss):
    """L = −1/n Σ_n Σ_k [y·log ŷ + (1 − y)·log(1 − ŷ)]; one sigmoid per output."""

    name = "binary_log_loss"
    fused_activation = "sigmoid"
    formula = "L = −1/N Σ_n Σ_k [y·log ŷ + (1−y)·log(1−ŷ)]"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        p = ops.clip(y_pred, _eps(y_pred), 1.0 - _eps(y_pred))
        both = y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p)
        return -ops.sum(both) / float(y_pred.shape[0])


class HalfSquaredError(Loss):
    """L = ½ · mean((y − ŷ)²); gradient (ŷ − y) / n (scikit-learn's ``squared_error``)."""

    name = "half_squared_error"
    formula = "L = 1/(2N) Σ (ŷ − y)²"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        d = y_pred - y_true
        return ops.mean(d * d) * 0.5

    def gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) * (1.0 / float(y_pred.shape[0]))


class HalfPoissonDeviance(Loss):
    """L = Σ_k mean_n [y·log(y/ŷ) − y + ŷ] with ŷ = e^z (scikit-learn's ``poisson``, with
    its log link); dL/dz = (ŷ − y) / n."""

    name = "half_poisson_deviance"
    fused_activation = "exponential"
    formula = "L = 1/N Σ_n Σ_k [y·log(y/ŷ) − y + ŷ],  ŷ = e^z"

    def __call__(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        return np.sum(np.mean(poisson_terms(y_true, y_pred), axis=0))

    def fused_gradient(self, ops: Backend, y_true: Array, y_pred: Array) -> Array:
        return (y_pred - y_true) * (1.0 / float(y_pred.shape[0]))


def poisson_terms(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """y·log(y/ŷ) − y + ŷ per sample and output (0·log 0 = 0, as scipy's xlogy)."""
    safe = np.where(y > 0, y, 1.0)
    return np.where(y > 0, y * np.log(safe / pred), 0.0) - y + pred


LOSSES: dict[str, type[Loss]] = {"softmax": LogLoss, "logistic": BinaryLogLoss,
                                 "identity": HalfSquaredError, "exp": HalfPoissonDeviance}


class MLPNet(Sequential):
    """Dense layers ``n_in → hidden… → n_out`` with scikit-learn's losses, L2 and batches.

    Args:
        layer_units: ``[n_features, *hidden_layer_sizes, n_outputs]``.
        activation: scikit-learn's hidden activation name.
        out_activation: ``"softmax"``, ``"logistic"``, ``"identity"`` or ``"exp"``.
        alpha: the L2 strength.
        dtype: ``"float64"`` or ``"float32"`` (the data's, as scikit-learn keeps it).
    """

    def __init__(self, layer_units: list[int], activation: str, out_activation: str,
                 alpha: float, dtype: str) -> None:
        layers: list[Any] = [Input((layer_units[0],))]
        for units in layer_units[1:-1]:
            layers.append(Dense(units, activation=HIDDEN[activation], name=f"hidden_{len(layers)}"))
        layers.append(Dense(layer_units[-1], activation=OUTPUT[out_activation], name="output"))
        super().__init__(layers, name="mlp", backend="numpy", dtype=dtype)
        self.alpha = alpha
        self.loss_name = out_activation
        self.order: np.ndarray | None = None  # the sample order scikit-learn keeps across epochs
        self.random_state: np.random.RandomState | None = None
        self._batch_n = 1.0  # the batch's size, or the sum of its sample weights
        self.sample_weight: np.ndarray | None = None  # the training set's, or None
        self._batch_w: np.ndarray | None = None
        self._buffers: dict[int, np.ndarray] = {}

    def start(self, n: int, random_state: np.random.RandomState,
              sample_weight: np.ndarray | None = None) -> None:
        """Before a fit: the sample order starts at 0..n−1, reshuffled by ``random_state``;
        ``sample_weight`` weighs each training sample (scikit-learn's rule, below)."""
        self.order, self.random_state = np.arange(n), random_state
        self.sample_weight = sample_weight

    def weigh(self, weights: np.ndarray | None) -> None:
        """The sample weights of the next batches (None: every sample counts once)."""
        self._batch_w = weights

    def batches(self, x: np.ndarray, y: np.ndarray | None, batch_size: int,
                shuffle: bool = False, rng: np.random.Generator | None = None, *,
                order: np.ndarray | None = None, start: int = 0
                ) -> Iterator[tuple[Array, Array | None]]:
        """scikit-learn's order (kept across epochs, reshuffled by its RandomState) replaces
        the trainer's ``order``; an estimator's fit is never resumed mid-epoch (``start``)."""
        if not shuffle or self.order is None or self.random_state is None:
            order = np.arange(len(x))
        else:
            order = self.order = self.order[self.random_state.permutation(len(self.order))]
        w = self.sample_weight if self.sample_weight is not None and len(x) == len(
            self.sample_weight) else None
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            self.weigh(None if w is None else w[idx])
            yield self.ops.asarray(x[idx]), None if y is None else self.ops.asarray(y[idx])
        self.weigh(None)

    def train_step(self, xb: Array, yb: Array) -> float:
        w = self._batch_w
        self._batch_n = float(xb.shape[0]) if w is None else float(w.sum())
        return super().train_step(xb, yb)

    def compute_loss_and_grad(self, yb: Array, pred: Array) -> tuple[Array, Array, bool]:
        """With sample weights (scikit-learn ≥ 1.7): each sample's loss weighted,
        L = Σ_n w_n·ℓ_n / Σ w, and dL/dz = (ŷ − y)·w_n / Σ w at the output."""
        w = self._batch_w
        if w is None:
            return super().compute_loss_and_grad(yb, pred)
        y = self._targets_for(yb, pred)
        if self.loss_name == "identity":
            value = 0.5 * np.average((y - pred) ** 2, weights=w, axis=0).mean()
        elif self.loss_name == "exp":
            value = np.average(poisson_terms(y, pred), weights=w, axis=0).sum()
        else:
            p = np.clip(pred, _eps(pred), 1.0 - _eps(pred))
            terms = y * np.log(p)
            if self.loss_name == "logistic":
                terms = terms + (1.0 - y) * np.log(1.0 - p)
            value = -np.average(terms, weights=w, axis=0).sum()
        grad = (pred - y) * (w / w.sum())[:, None]
        return np.asarray(value, pred.dtype), grad, self._fused_head() is not None

    def apply_gradients(self) -> float:
        """Add α·W / n to each kernel's gradient, then update; returns α·Σ‖W‖² / (2n)."""
        return self.add_l2(self._batch_n) + super().apply_gradients()

    def add_l2(self, n: float) -> float:
        """The L2 term for a batch of ``n`` (the sum of its weights when weighted): adds
        into the kernel gradients, returns the penalty."""
        if not self.alpha:
            return 0.0
        scale, total = self.alpha / n, 0.0
        for i, layer in enumerate(self.layers):
            w, g = layer.params["kernel"], layer.grads["kernel"]
            total += float(np.vdot(w, w))
            g += np.multiply(w, scale, out=self._scratch(i, w))  # g is this batch's own array
        return 0.5 * self.alpha * total / n

    def _scratch(self, i: int, like: np.ndarray) -> np.ndarray:
        """A buffer shaped like kernel ``i``, kept across steps: a fresh ~1 MB temporary each
        step costs page faults that showed in the step time."""
        buf = self._buffers.get(i)
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
            buf = self._buffers[i] = np.empty_like(like)
        return buf

    def evaluate_arrays(self, x: np.ndarray, y: np.ndarray, batch_size: int = 256
                        ) -> dict[str, float]:
        out = super().evaluate_arrays(x, y, batch_size)
        out["loss"] += 0.5 * self.alpha * sum(float(np.vdot(w, w)) for w in self.kernels) / len(x)
        return out

    @property
    def kernels(self) -> list[np.ndarray]:
        return [layer.params["kernel"] for layer in self.layers]

    @property
    def biases(self) -> list[np.ndarray]:
        return [layer.params["bias"] for layer in self.layers]
