"""SimpleRNN, LSTM, GRU: gates and states over time, gradient norm per step, forecasts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.viz import Heatmap, NormSeries, ProbabilityBars
from nntui.viz.line_chart import LineChart

GATE_TITLES = {
    "gate_i": "input gate i", "gate_f": "forget gate f", "gate_o": "output gate o",
    "gate_z": "update gate z", "gate_r": "reset gate r", "candidate": "candidate",
    "cell": "cell state c", "hidden": "hidden state h",
}
GATES_IN_01 = ("gate_i", "gate_f", "gate_o", "gate_z", "gate_r")


def gate_view(key: str, values: np.ndarray, width: int, height: int) -> RenderableType:
    """One gate ``(T, u)`` as units (rows, two a line) × time (columns, stretched to the
    width) in ``height`` lines: a line saying which units, the map, its legend."""
    t, u = values.shape
    rows = max(1, min(u, 2 * (height - 2)))
    shown = values[:, :rows].T  # (rows, T)
    stretch = max(1, (width - 1) // t)
    matrix = np.repeat(shown, stretch, axis=1)
    limits = (0.0, 1.0) if key in GATES_IN_01 else (None, None)
    cmap = "viridis" if key in GATES_IN_01 else "diverging"
    which = f"all {u} units" if rows == u else f"units 1–{rows} of {u}"
    return Group(Text(f"{which} ↓ × {t} steps →", style="dim", no_wrap=True,
                      overflow="ellipsis"),
                 Heatmap(matrix, cmap, vmin=limits[0], vmax=limits[1], mode="half"))


def gate_drawer(key: str, values: np.ndarray) -> Callable[[int, int], RenderableType]:
    """``draw(width, height)`` of one gate's section."""
    return lambda width, height: gate_view(key, values, width, height)


def grad_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    return NormSeries(extras["grad_norm_per_step"], width=width, height=max(1, height - 2))


def prediction_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
                    ) -> RenderableType:
    p = panel.pick(len(extras["probe_x"]))
    if "probe_probs" in extras:
        return ProbabilityBars(extras["probe_probs"][p], extras.get("class_names"),
                               true_label=int(extras["probe_y"][p]))
    window = extras["forecast_window"][p]
    t = len(window)
    series = {
        "input": (np.arange(t + 1), np.append(window, extras["forecast_truth"][p])),
        "forecast": (np.array([t - 1, t]), np.array([window[-1], extras["forecast_pred"][p]])),
    }
    return LineChart(series, width=width, height=height, title="probe: next value")


def heldout_view(extras: dict[str, Any], width: int, height: int) -> RenderableType:
    n = len(extras["heldout_truth"])
    x = np.arange(n)
    return LineChart({"truth": (x, extras["heldout_truth"]),
                      "forecast": (x, extras["heldout_pred"])},
                     width=width, height=height, title=f"{n} held-out windows")


@register_arch_panel("recurrent")
class RecurrentPanel(SectionPanel):
    """Gate values and states of the first recurrent layer over time for a probe sequence
    (``p`` cycles), ‖∂L/∂h_t‖ per step, and the prediction."""

    def sections(self, extras: dict[str, Any], history: RunHistory, width: int
                 ) -> list[Section]:
        if "gates" not in extras:
            return []
        n = len(extras["probe_x"])
        p = self.pick(n)
        layer = f"{extras.get('rnn_kind', 'recurrent')} {extras.get('rnn_layer', '')}".strip()
        # one section per gate: as many as fit are stacked, v brings the next ones
        out = [Section(f"{GATE_TITLES.get(key, key)} of {layer}, probe {p + 1}/{n} (p: next)",
                       gate_drawer(key, values[p]), 6)
               for key, values in extras["gates"].items()]
        out.append(Section("gradient norm ‖∂L/∂h_t‖ per time step (small at the left: "
                           "vanishing)", lambda w, h: grad_view(extras, w, h), 5, grow=False))
        if "probe_probs" in extras:
            out.append(Section("predicted class", lambda w, h: prediction_view(self, extras, w, h),
                               len(extras["probe_probs"][0]), grow=False))
        elif "forecast_window" in extras:
            out.append(Section("forecast vs truth",
                               lambda w, h: prediction_view(self, extras, w, h), 10))
            out.append(Section("forecast vs truth, held out",
                               lambda w, h: heldout_view(extras, w, h), 10))
        return out
