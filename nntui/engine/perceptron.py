"""The classic perceptron and its learning rule (Rosenblatt), as taught.

ŷ = step(w·x + b);  for each sample: w ← w + η (y − ŷ) x,  b ← b + η (y − ŷ).
It converges on linearly separable data and never on XOR.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.layers.dense import Dense
from nntui.engine.metrics import binary_accuracy
from nntui.engine.model import Input, Sequential
from nntui.engine.optimizers import SGD


class Perceptron(Sequential):
    """One neuron with a binary step activation, trained by the perceptron rule.

    Its "loss" is the share of misclassified samples (MSE of 0/1 outputs). It takes no
    gradient: ``uses_gradients`` is False, and its SGD optimizer only holds η.

    Args:
        input_dim: number of input features.
        learning_rate: η of the rule.
        seed, backend: as for Sequential.
    """

    uses_gradients = False
    update_rule = "the perceptron rule"

    def __init__(self, input_dim: int = 2, learning_rate: float = 0.1, *, seed: int | None = None,
                 backend: str = "auto") -> None:
        super().__init__([Input((input_dim,)),
                          Dense(1, activation="binary_step", kernel_initializer="zeros",
                                name="perceptron")], name="perceptron", seed=seed, backend=backend)
        self.compile(optimizer=SGD(learning_rate), loss="mse")
        self.metrics = [("accuracy", binary_accuracy)]
        self.build()

    def metric_definitions(self) -> dict[str, str]:
        return {"loss": "share of samples the rule found misclassified while updating",
                "accuracy": "share of samples on the right side of the line"}

    def train_step(self, xb: Any, yb: Any) -> float:
        """Apply the rule sample by sample, in batch order (the rule is sequential)."""
        ops, layer = self.ops, self.layers[0]
        w = ops.to_numpy(layer.params["kernel"]).astype(np.float64)[:, 0]
        b = float(ops.to_numpy(layer.params["bias"])[0])
        x, y = ops.to_numpy(xb), ops.to_numpy(yb).reshape(-1)
        lr = self.compiled()[1].learning_rate
        errors = 0
        preds = np.empty(len(x))
        for i in range(len(x)):
            pred = 1.0 if x[i] @ w + b >= 0 else 0.0
            preds[i] = pred
            err = y[i] - pred
            if err:
                errors += 1
                w += lr * err * x[i]
                b += lr * err
        layer.params["kernel"] = ops.asarray(w.reshape(-1, 1), ops.dtype)
        layer.params["bias"] = ops.asarray(np.array([b]), ops.dtype)
        self._last_pred = ops.asarray(preds.reshape(-1, 1))
        return errors / max(len(x), 1)
