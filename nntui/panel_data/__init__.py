"""Data for the architecture panels, computed at snapshot time on the trainer's thread.

The views here (points, images, sequences, generative, language) are shared by the
architectures; each architecture's ``panel_data`` (``nntui.architectures``) picks
and combines them. :func:`panel_data` is what ``Session.extras`` returns into
``SnapshotTaken.extras``:
plain NumPy arrays and Python values only, bounded in size (kilobytes to a few
hundred kilobytes) and cheap (a few milliseconds for the default presets), built
from a fixed set of probe samples per session. The app's panels
(``nntui.app.panels``) draw it with ``nntui.viz``.

Keys by architecture (all dicts also hold ``"architecture"``, ``"step"``, the trainer's
step they were computed at, and ``"fresh"``, True when computed in full at that step):

* perceptron, mlp on 2-D points: ``kind="boundary"``, ``grid (GH, GW, K)`` class
  probabilities (row 0 at ymin, :func:`nntui.viz.grid_points`), ``extent``, ``points``,
  ``labels``, ``class_names``; mlp also ``neurons (GH, GW, U)`` and ``neuron_layer``.
* mlp on 1-D inputs: ``kind="regression"``, ``curve_x``, ``curve_y``, ``points (N, 2)``.
* cnn (and mlp on images): ``filters (F, kh, kw)``, ``maps`` ``[(layer, kind, (P, H, W, C))]``
  (cnn), ``probe_x``, ``probe_y``, ``probe_probs (P, K)``, ``confusion (K, K)``,
  ``heldout_accuracy`` over the first ``heldout_size`` of ``heldout_total`` held-out
  samples, each evaluated at a step between ``heldout_steps = (first, last)``,
  ``wrong_x``/``wrong_true``/``wrong_pred``/
  ``wrong_conf``, ``class_names``.
* rnn, lstm, gru: ``rnn_kind``, ``gates {key: (P, T, u)}``, ``grad_norm_per_step (T,)``,
  ``probe_x``; ``probe_probs``/``probe_y`` (classification) or ``forecast_*`` and
  ``heldout_truth``/``heldout_pred`` (forecasting).
* gan: ``kind="points"`` with ``real``, ``fake``, ``d_grid``, ``extent``; or
  ``kind="images"`` with ``samples (S, H, W)``.
* autoencoder: ``inputs``, ``outputs``, ``targets``, ``noise``, ``latent (M, 2)``,
  ``latent_dim``, ``latent_labels``, ``class_names``, ``errors (M,)``.
* transformer: ``attention (B, P, H, T, T)``, ``tokens``, ``prompts``, ``generated``,
  ``truths``, ``vocab``.
* transfer: the cnn keys plus ``layers [(name, kind, params, trainable)]``, ``frozen``,
  ``accuracy_before``, ``pretrain_accuracy``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from nntui.engine.learner import Learner
from nntui.panel_data.common import Moment, session_state, set_moment
from nntui.panel_data.points import decision_grid

__all__ = ["MIN_INTERVAL", "compute_panel_data", "decision_grid", "panel_data"]

MIN_INTERVAL = 0.25
"""Seconds between two computations for one session; snapshots in between reuse the
last result. The dashboard draws at 4 frames a second, so fresher data would never
be seen, and this caps what the panels cost training at ``cost × 4`` per second."""


def panel_data(session: Any, model: Learner, x_val: Any, y_val: Any, *, step: int = 0,
               fresh: bool = False) -> dict[str, Any]:
    """Per-architecture extras for ``SnapshotTaken.extras`` (see the module docstring),
    recomputed at most every :data:`MIN_INTERVAL` seconds per session; ``fresh`` (the
    trainer stops to wait or ends): computed now, in full, whatever the interval."""
    state = session_state(session)
    now = time.monotonic()
    last = state.get("last")
    if not fresh and last is not None and now - last[0] < MIN_INTERVAL:
        return last[1]
    out = compute_panel_data(session, model, x_val, y_val, step=step, fresh=fresh)
    state["last"] = (time.monotonic(), out)
    return out


def compute_panel_data(session: Any, model: Learner, x_val: Any, y_val: Any, *, step: int = 0,
                       fresh: bool = True) -> dict[str, Any]:
    """The extras for this moment, always computed by the session's architecture.

    ``x_val``/``y_val`` are the trainer's held-out arrays (None when there are none,
    then the training arrays stand in). ``step`` is the trainer's step, kept in the
    result as ``"step"``; ``fresh``: rolling evaluations evaluate every sample now
    (else only their next chunk, see :class:`~nntui.panel_data.common.RollingEval`).
    """
    arch = session.architecture
    out: dict[str, Any] = {"architecture": arch.name, "step": int(step), "fresh": bool(fresh)}
    if x_val is None or len(x_val) == 0:
        x_val, y_val = session.x_train, session.y_train
    set_moment(session, Moment(int(step), bool(fresh)))
    out.update(arch.panel_data(session, model, np.asarray(x_val), np.asarray(y_val)))
    return out
