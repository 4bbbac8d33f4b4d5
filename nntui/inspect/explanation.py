"""What the inspector shows for one stage: tensors, the formula, and one element's numbers.

Plain data, built from a :class:`~nntui.engine.trace.StepTrace` by the functions in
one module per layer family (``dense.py``, ``conv.py``, ``pooling.py``, ``recurrent.py``,
``attention.py``, ``generic.py``), ``loss_update.py`` and ``rule.py``; the app
only draws it. No Textual here, so every number can be tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nntui.numeric import fmt_number


@dataclass(frozen=True)
class Selection:
    """Where the learner's cursor is: an element (row, col) of the stage's main tensor,
    a sample of the batch, a channel (filter, head, …) and a parameter of the layer."""

    row: int = 0
    col: int = 0
    sample: int = 0
    channel: int = 0
    param: int = 0


@dataclass(frozen=True)
class Tensor:
    """One array as shown: a 2-D view of ``shape``, with the chosen cell highlighted.

    Attributes:
        label: what it is, e.g. ``"W (kernel)"``.
        value: the 2-D view drawn (a vector is one row).
        shape: the full tensor's shape.
        highlight: (row, col) inside ``value`` of the chosen element, if shown here.
        signed: gradients and weights: draw with a diverging colour map.
        note: which slice of the full tensor ``value`` is, e.g. ``"sample 0, filter 2"``.
    """

    label: str
    value: np.ndarray
    shape: tuple[int, ...]
    highlight: tuple[int, int] | None = None
    signed: bool = False
    note: str = ""


@dataclass(frozen=True)
class Term:
    """One addend of a sum: its factors and their product (``value``)."""

    label: str
    factors: tuple[float, ...]
    value: float


@dataclass(kw_only=True)
class Explanation:
    """Everything one stage shows.

    Attributes:
        title: e.g. ``"forward · dense_1 (Dense)"``.
        formula: the layer's (or loss's, optimizer's) formula.
        tensors: the arrays, in reading order.
        lines: the chosen element's formula written out with its numbers.
        terms: the addends of the chosen element's sum (may be empty).
        term_header: names of a term's factors, e.g. ``"x[n,i] · W[i,j]"``.
        total: the sum of the terms (plus a bias), computed here in float64.
        value: the traced value ``total`` must equal.
        value_label: what ``value`` is, e.g. ``"z[0,1]"``.
        cursor: the chosen element (row, col) after wrapping.
        cursor_shape: (rows, cols) the cursor moves in.
        selectors: ``{"sample": (current, count), ...}`` for the other choices.
    """

    title: str
    formula: str = ""
    tensors: list[Tensor] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    term_header: str = ""
    total: float | None = None
    value: float | None = None
    value_label: str = ""
    cursor: tuple[int, int] = (0, 0)
    cursor_shape: tuple[int, ...] = (1, 1)
    selectors: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def agrees(self) -> bool | None:
        """Whether ``total`` equals the traced ``value`` (float32 tolerance); None if n/a."""
        if self.total is None or self.value is None:
            return None
        return bool(np.isclose(self.total, self.value, rtol=1e-4, atol=1e-6))


def f(x: float) -> str:
    """A number as the inspector writes it (4 significant digits)."""
    return fmt_number(float(x), 4)


def as_2d(a: np.ndarray) -> np.ndarray:
    """A 0-, 1- or 2-D array as 2-D (a vector is one row)."""
    a = np.asarray(a)
    return a.reshape(1, -1) if a.ndim < 2 else a


def wrap(i: int, n: int) -> int:
    return i % n if n else 0


def sample_view(a: np.ndarray, sample: int, channel: int) -> tuple[np.ndarray, str]:
    """A batch tensor (N, ...) as the 2-D view of one sample (and channel).

    (N, d) -> (1, d); (N, T, d) -> (T, d); (N, H, W, C) -> (H, W) of channel c;
    more axes: the leading ones at index 0.
    """
    a = np.asarray(a)
    if a.ndim <= 1:
        return as_2d(a), ""
    n = wrap(sample, a.shape[0])
    v = a[n]
    note = f"sample {n}"
    if v.ndim == 1:
        return v.reshape(1, -1), note
    while v.ndim > 3:
        v = v[0]
    if v.ndim == 3:
        c = wrap(channel, v.shape[-1])
        return v[..., c], f"{note}, channel {c}"
    return v, note


def param_view(a: np.ndarray) -> np.ndarray:
    """A parameter as 2-D: its last axis are the columns (a conv kernel (kh, kw, C, F)
    becomes (kh·kw·C, F), the matrix im2col multiplies by)."""
    a = np.asarray(a)
    return as_2d(a) if a.ndim < 2 else a.reshape(-1, a.shape[-1])


def tensor(
    label: str,
    a: np.ndarray,
    view: np.ndarray | None = None,
    *,
    highlight: tuple[int, int] | None = None,
    signed: bool = False,
    note: str = "",
) -> Tensor:
    """A :class:`Tensor` of ``a`` shown as ``view`` (default: ``as_2d(a)``)."""
    shown = as_2d(a) if view is None else view
    return Tensor(label, shown, tuple(np.shape(a)), highlight, signed, note)


def index_text(idx: tuple[int, ...]) -> str:
    return ",".join(str(int(i)) for i in idx)
