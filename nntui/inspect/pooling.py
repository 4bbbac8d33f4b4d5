"""Pooling in the inspector: the window behind one output, and where its gradient goes."""

from __future__ import annotations

from typing import Any

import numpy as np

from nntui.engine.layers.conv import same_pads
from nntui.engine.trace import LayerTrace
from nntui.inspect.calculus import stage_title
from nntui.inspect.explanation import (
    Explanation,
    Selection,
    f,
    tensor,
    wrap,
)


def pool_window(
    lt: LayerTrace, cfg: dict[str, Any], n: int, i: int, j: int, ch: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """The (ph, pw) window of channel ``ch`` under output cell (i, j), NaN on padding,
    and the input (row, col) of its top-left corner."""
    ph, pw = cfg.get("pool_size", (2, 2))
    sh, sw = cfg.get("strides", (ph, pw))
    x = np.asarray(lt.input[n, :, :, ch], np.float64)
    h, w = x.shape
    pads = (
        (same_pads(h, ph, sh), same_pads(w, pw, sw))
        if cfg.get("padding") == "same"
        else ((0, 0), (0, 0))
    )
    xp = np.pad(x, pads, constant_values=np.nan)
    return xp[i * sh : i * sh + ph, j * sw : j * sw + pw], (
        i * sh - pads[0][0],
        j * sw - pads[1][0],
    )


def pool_winner(
    lt: LayerTrace, cfg: dict[str, Any], n: int, i: int, j: int, ch: int
) -> tuple[int, int]:
    """The input (row, col) the max-pooling window (i, j) took its value from (traced argmax)."""
    pw = cfg.get("pool_size", (2, 2))[1]
    slot = int(lt.internals["argmax"][n, i, j, ch])
    _, (r0, c0) = pool_window(lt, cfg, n, i, j, ch)
    return r0 + slot // pw, c0 + slot % pw


def pool_forward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Max pooling: which input won the window; average pooling: the window's mean."""
    out = lt.output
    n, ch = wrap(sel.sample, out.shape[0]), wrap(sel.channel, out.shape[3])
    i, j = wrap(sel.row, out.shape[1]), wrap(sel.col, out.shape[2])
    win, (r0, c0) = pool_window(lt, cfg, n, i, j, ch)
    at = f"[{n},{i},{j},{ch}]"
    if "argmax" in lt.internals:
        r, c = pool_winner(lt, cfg, n, i, j, ch)
        total = float(np.nanmax(win))
        lines = [
            f"window rows {r0}..{r0 + win.shape[0] - 1}, cols {c0}..{c0 + win.shape[1] - 1}",
            f"out{at} = max(window) = x[{n},{r},{c},{ch}] = {f(total)}"
            f"  (traced {f(out[n, i, j, ch])})",
            "backward sends dL/dout to this winner only; the other inputs get 0",
        ]
        hl = (r, c)
    else:
        total = float(np.nanmean(win))
        lines = [
            f"out{at} = mean of the {int(np.sum(~np.isnan(win)))} real pixels = {f(total)}"
            f"  (traced {f(out[n, i, j, ch])})"
        ]
        hl = (max(r0, 0), max(c0, 0))
    tensors = [
        tensor(
            "x (input)",
            lt.input,
            lt.input[n, :, :, ch],
            highlight=hl,
            note=f"sample {n}, channel {ch}",
        ),
        tensor("window", win, note="nan: padding"),
        tensor("out", out, out[n, :, :, ch], highlight=(i, j), note=f"sample {n}, channel {ch}"),
    ]
    return Explanation(
        title=stage_title(lt, "forward"),
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        terms=[],
        term_header="",
        total=total,
        value=float(out[n, i, j, ch]),
        value_label=f"out{at}",
        cursor=(i, j),
        cursor_shape=(out.shape[1], out.shape[2]),
        selectors={"sample": (n, out.shape[0]), "channel": (ch, out.shape[3])},
    )


def pool_backward(lt: LayerTrace, sel: Selection, cfg: dict[str, Any]) -> Explanation:
    """Max pooling routes each dL/dout to its window's winner; average pooling shares it."""
    g = lt.grad_output
    gin = lt.grad_input
    assert g is not None and gin is not None
    n, ch = wrap(sel.sample, g.shape[0]), wrap(sel.channel, g.shape[3])
    i, j = wrap(sel.row, g.shape[1]), wrap(sel.col, g.shape[2])
    lines = []
    hl = None
    if "argmax" in lt.internals:
        r, c = pool_winner(lt, cfg, n, i, j, ch)
        hl = (r, c)
        lines += [
            f"dL/dout[{n},{i},{j},{ch}] = {f(g[n, i, j, ch])} goes to the winner "
            f"x[{n},{r},{c},{ch}]",
            f"dL/dx[{n},{r},{c},{ch}] = {f(gin[n, r, c, ch])} (sums every window it won)",
            "the window's other inputs get 0 from this cell",
        ]
    else:
        ph, pw = cfg.get("pool_size", (2, 2))
        lines.append(
            f"each real pixel of the window gets dL/dout / count = "
            f"{f(g[n, i, j, ch])} / {ph * pw} (interior windows)"
        )
    tensors = [
        tensor(
            "dL/dout",
            g,
            g[n, :, :, ch],
            highlight=(i, j),
            signed=True,
            note=f"sample {n}, channel {ch}",
        ),
        tensor(
            "dL/dx",
            gin,
            gin[n, :, :, ch],
            highlight=hl,
            signed=True,
            note=f"sample {n}, channel {ch}",
        ),
    ]
    return Explanation(
        title=f"backward · {lt.name} ({lt.kind})",
        formula=lt.formula,
        tensors=tensors,
        lines=lines,
        cursor=(i, j),
        cursor_shape=(g.shape[1], g.shape[2]),
        selectors={"sample": (n, g.shape[0]), "channel": (ch, g.shape[3])},
    )
