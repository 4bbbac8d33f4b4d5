"""SimpleRNN, LSTM and GRU: gates and states over time for probe sequences, the gradient
norm per time step (vanishing gradients), and forecasts against the truth."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.engine.trace import traced_step
from nntui.panel_data.common import class_names, probe_indices

TRACE_BATCH = 32  # sequences traced: probes first, then held-out forecasts
STATE_KEYS = ("gate_i", "gate_f", "gate_o", "gate_z", "gate_r", "candidate", "cell", "hidden")
RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def recurrent_data(session: Any, model: Learner, x_val: np.ndarray, y_val: np.ndarray
                   ) -> dict[str, Any]:
    """Trace one small batch (no update) and keep the first recurrent layer's internals.

    Returns ``gates`` ``{key: (P, T, u)}`` for the probes, ``grad_norm_per_step`` ``(T,)``
    (batch mean of ‖∂L/∂h_t‖), the probe inputs, and predictions (class
    probabilities, or the forecast next value with the truth).
    """
    labels = np.asarray(y_val)
    idx = probe_indices(len(x_val), labels.reshape(-1) if labels.ndim == 1 else None,
                        TRACE_BATCH)
    trace = traced_step(model, x_val[idx], labels[idx])
    pos = next((i for i, t in enumerate(trace.layers) if t.kind in RECURRENT), None)
    if pos is None:
        return {}
    lt = trace.layers[pos]
    n = min(len(idx), 4)
    gates = {k: lt.internals[k][:n].astype(np.float32) for k in STATE_KEYS if k in lt.internals}
    out: dict[str, Any] = {
        "rnn_kind": lt.kind, "rnn_layer": lt.name, "gates": gates,
        "grad_norm_per_step": np.asarray(lt.internals.get("grad_hidden_norm_per_step", []),
                                         dtype=np.float32).reshape(-1),
        "probe_x": x_val[idx[:n]].astype(np.float32)}
    pred = trace.prediction
    if session.dataset.task == "classification":
        out.update(probe_y=labels[idx[:n]].astype(np.int64),
                   probe_probs=pred[:n].reshape(n, -1).astype(np.float32),
                   class_names=class_names(session.dataset, pred.shape[-1]))
    elif x_val.shape[-1] == 1:
        out.update(forecast_window=x_val[idx[:n], :, 0].astype(np.float32),
                   forecast_truth=labels[idx[:n]].reshape(n, -1)[:, 0].astype(np.float32),
                   forecast_pred=pred[:n].reshape(n, -1)[:, 0].astype(np.float32))
        order = np.argsort(idx, kind="stable")  # the traced batch in held-out order
        out.update(heldout_truth=labels[idx[order]].reshape(len(idx), -1)[:, 0].astype(np.float32),
                   heldout_pred=pred[order].reshape(len(idx), -1)[:, 0].astype(np.float32))
    return out
