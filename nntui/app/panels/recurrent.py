"""SimpleRNN, LSTM, GRU: gates and states over time, gradient norm per step, forecasts."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from nntui.app.history import RunHistory
from nntui.app.panels.base import Section, SectionPanel
from nntui.app.widgets.arch_panel import register_arch_panel
from nntui.app.widgets.line_chart import LineChart
from nntui.viz import Heatmap, NormSeries, ProbabilityBars

GATE_TITLES = {
    "gate_i": "input gate i", "gate_f": "forget gate f", "gate_o": "output gate o",
    "gate_z": "update gate z", "gate_r": "reset gate r", "candidate": "candidate",
    "cell": "cell state c", "hidden": "hidden state h",
}
GATES_IN_01 = ("gate_i", "gate_f", "gate_o", "gate_z", "gate_r")


def gate_rows(key: str, values: np.ndarray, width: int, lines: int) -> list[RenderableType]:
    """One gate ``(T, u)`` as units × time in ``lines`` lines, time stretched to the width."""
    t, u = values.shape
    shown = values[:, : max(1, 2 * (lines - 2))].T  # (u', T): label and legend take 2 lines
    stretch = max(1, (width - 14) // t)
    matrix = np.repeat(shown, stretch, axis=1)
    limits = (0.0, 1.0) if key in GATES_IN_01 else (None, None)
    cmap = "viridis" if key in GATES_IN_01 else "diverging"
    label = f"{GATE_TITLES.get(key, key)}  ({shown.shape[0]}/{u} units × {t} steps)"
    return [Text(label, style="dim"),
            Heatmap(matrix, cmap, vmin=limits[0], vmax=limits[1], mode="half")]


def gates_view(panel: SectionPanel, extras: dict[str, Any], width: int, height: int
               ) -> RenderableType:
    gates = extras["gates"]
    p = panel.pick(len(extras["probe_x"]))
    lines = max(3, height // max(1, len(gates)))  # per gate: label, map, legend
    rows: list[RenderableType] = []
    for key, values in gates.items():
        rows.extend(gate_rows(key, values[p], width, lines))
    return Group(*rows)


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
        kind = extras.get("rnn_kind", "recurrent")
        out = [
            Section(f"{kind} {extras.get('rnn_layer', '')}: probe {self.pick(n) + 1}/{n} "
                    "(p: next)", lambda w, h: gates_view(self, extras, w, h),
                    4 * len(extras["gates"])),
            Section("gradient norm ‖∂L/∂h_t‖ per time step (small at the left: vanishing)",
                    lambda w, h: grad_view(extras, w, h), 5, grow=False),
        ]
        if "probe_probs" in extras:
            out.append(Section("predicted class", lambda w, h: prediction_view(self, extras, w, h),
                               len(extras["probe_probs"][0]), grow=False))
        elif "forecast_window" in extras:
            out.append(Section("forecast vs truth",
                               lambda w, h: prediction_view(self, extras, w, h), 10))
            out.append(Section("forecast vs truth, held out",
                               lambda w, h: heldout_view(extras, w, h), 10))
        return out
