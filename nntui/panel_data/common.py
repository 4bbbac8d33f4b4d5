"""Shared helpers of the panel-data builders: probes, layer outputs, rolling evaluation.

Everything here runs on the trainer's thread at snapshot time, between two optimizer
steps, so it may call layers' ``forward`` (which only overwrites caches the next
step rewrites) but never touches parameters or optimizer state.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.engine.learner import Learner

PROBES = 4  # probe samples per session (the panels cycle through them)
CHUNK = 64  # held-out samples re-evaluated per snapshot once the cache is full
MAX_HELDOUT = 2000  # held-out samples a rolling evaluation covers at most


def probe_indices(n: int, labels: np.ndarray | None = None, k: int = PROBES) -> np.ndarray:
    """``k`` fixed indices into ``n`` held-out samples: one per class first, when labelled.

    Deterministic, so every snapshot of a session shows the same probes.
    """
    if n == 0:
        return np.zeros(0, np.int64)
    if labels is not None and labels.ndim == 1 and np.issubdtype(labels.dtype, np.integer):
        _, first = np.unique(labels, return_index=True)  # first sample of each class
        rest = np.setdiff1d(np.arange(n), first)
        return np.concatenate([np.sort(first), rest])[:k].astype(np.int64)
    return np.linspace(0, n - 1, min(k, n)).round().astype(np.int64)


def layer_outputs(model: Learner, x: np.ndarray, stop: int | None = None) -> list[np.ndarray]:
    """NumPy output of every layer (up to index ``stop`` inclusive), inference mode."""
    ops = model.ops
    h = ops.asarray(x)
    outs: list[np.ndarray] = []
    for i, layer in enumerate(model.layers):
        h = layer.forward(h, training=False)
        outs.append(ops.to_numpy(h))
        if stop is not None and i >= stop:
            break
    return outs


def as_image(x: np.ndarray) -> np.ndarray:
    """``(N, H, W, 1)`` -> ``(N, H, W)``; RGB and plain 2-D batches pass through."""
    x = np.asarray(x, dtype=np.float32)
    return x[..., 0] if x.ndim == 4 and x.shape[-1] == 1 else x


def class_names(dataset: Any, k: int) -> list[str]:
    names = getattr(dataset, "class_names", None)
    return [str(n) for n in names] if names and len(names) == k else [str(i) for i in range(k)]


@dataclass(frozen=True)
class Moment:
    """When panel data is being computed: the trainer's ``step``, and whether ``fresh``
    (in full: every rolling evaluation evaluates all its samples now)."""

    step: int = 0
    fresh: bool = True


def set_moment(session: Any, moment: Moment) -> None:
    session_state(session)["moment"] = moment


def moment(session: Any) -> Moment:
    """The moment :func:`set_moment` last set for ``session`` (fresh at step 0 if none)."""
    found: Moment | None = session_state(session).get("moment")
    return found if found is not None else Moment()


@dataclass
class RollingEval:
    """Per-sample results over the held-out set, refreshed a chunk per snapshot.

    The first :meth:`update` (and every ``full`` one) evaluates all (at most
    :data:`MAX_HELDOUT`) samples; the others re-evaluate the next :data:`CHUNK`, so a
    snapshot costs a bounded forward pass. ``steps`` holds the step each sample's
    result is from: a figure over the results is the model's at one step only when
    :attr:`span` is that step.
    """

    n: int
    results: dict[str, np.ndarray] = field(default_factory=dict)
    cursor: int = 0
    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def update(self, x: np.ndarray, fn: Callable[[np.ndarray, slice], dict[str, np.ndarray]],
               step: int = 0, full: bool = False) -> None:
        """Evaluate ``fn(x[part], part)`` over the next part (everything when ``full`` or
        the first time), recording ``step`` for the samples evaluated."""
        if full or not self.results:
            parts = [fn(x[s:min(s + 256, self.n)], slice(s, min(s + 256, self.n)))
                     for s in range(0, self.n, 256)]
            self.results = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            self.steps = np.full(self.n, step, np.int64)
            self.cursor = 0
            return
        a, b = self.cursor, min(self.cursor + CHUNK, self.n)
        for key, value in fn(x[a:b], slice(a, b)).items():
            self.results[key][a:b] = value
        self.steps[a:b] = step
        self.cursor = 0 if b >= self.n else b

    @property
    def span(self) -> tuple[int, int]:
        """The oldest and the newest step of the results."""
        if not self.steps.size:
            return (0, 0)
        return int(self.steps.min()), int(self.steps.max())


_STATE: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}


def session_state(session: Any) -> dict[str, Any]:
    """A dict that lives as long as ``session`` (sessions are unhashable dataclasses)."""
    key = id(session)
    held = _STATE.get(key)
    if held is not None and held[0]() is session:
        return held[1]
    for k in [k for k, (ref, _) in _STATE.items() if ref() is None]:
        del _STATE[k]
    state: dict[str, Any] = {}
    _STATE[key] = (weakref.ref(session), state)
    return state
