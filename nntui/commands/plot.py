"""``nntui plot RUN_DIR…``: one or several runs' metrics as charts in the plain terminal.

For a quick look without the app (over SSH, in a CI log): each metric gets a chart
with the training and validation curves of every run, per epoch (or per step with
``--steps``). Reads only ``metrics.jsonl``, so it works on a run still being written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from nntui.commands.charts import line_plot
from nntui.errors import ConfigError
from nntui.runlog import read_jsonl_rows
from nntui.runlog.rows import BASE_COLUMNS, RESERVED, metric_name
from nntui.runlog.rundir import METRICS_JSONL

MAX_WIDTH = 100


@dataclass
class RunCurves:
    """The per-epoch (or per-step) metric series of one run folder."""

    name: str
    x: dict[str, list[float]] = field(default_factory=dict)
    y: dict[str, list[float]] = field(default_factory=dict)

    def add(self, metric: str, x: float, y: float) -> None:
        if math.isfinite(y):
            self.x.setdefault(metric, []).append(x)
            self.y.setdefault(metric, []).append(y)


def read_curves(run_dir: Path, steps: bool) -> RunCurves:
    """Epoch rows (or step rows) of a run folder's ``metrics.jsonl`` as series.

    Raises:
        CheckpointError: the folder or its log cannot be read.
    """
    rows = read_jsonl_rows(_metrics_file(run_dir))
    kind = "step" if steps else "epoch"
    chosen = [r for r in rows if r.get("kind") == kind]
    if not chosen and not steps:  # a run still in its first epoch: its steps
        chosen, kind = [r for r in rows if r.get("kind") == "step"], "step"
    curves = RunCurves(run_dir.name)
    for row in chosen:
        x = row.get(kind)
        for key, value in row.items():
            if key in RESERVED or key in BASE_COLUMNS or not isinstance(value, (int, float)):
                continue
            if isinstance(x, (int, float)):
                curves.add(metric_name(key), float(x), float(value))
    return curves


def _metrics_file(run_dir: Path) -> Path:
    if not run_dir.is_dir():
        raise ConfigError(f"no run folder at {str(run_dir)!r}; pass folders under runs/")
    path = run_dir / METRICS_JSONL
    if not path.is_file():
        raise ConfigError(f"{str(run_dir)!r} holds no {METRICS_JSONL}: is it a run folder?")
    return path


def charts(runs: list[RunCurves], metrics: list[str] | None, width: int, height: int,
           logy: bool, x_label: str) -> list[Any]:
    """One chart per metric: for each run, its training and ``val_`` curves."""
    available = sorted({m for r in runs for m in r.y})
    bases = [m for m in dict.fromkeys(m.removeprefix("val_") for m in available)]
    wanted = metrics or bases
    unknown = [m for m in wanted if m not in bases]
    if unknown:
        raise ConfigError(f"no metric {unknown[0]!r} in these runs; they have: "
                          f"{', '.join(bases) or 'nothing yet'}")
    out = []
    for metric in wanted:
        series = {}
        for run in runs:
            for key in (metric, f"val_{metric}"):
                if key in run.y:
                    label = key if len(runs) == 1 else f"{run.name} {key}"
                    series[label] = (run.x[key], run.y[key])
        out.append(line_plot(series, width, height, title=metric, xlabel=x_label, logy=logy))
    return out


def _short_names(runs: list[RunCurves]) -> None:
    """``2026-12-05_1834_mlp-xor`` -> ``mlp-xor`` where that leaves the names distinct."""
    short = [re.sub(r"^\d{4}-\d{2}-\d{2}_\d{4,6}_", "", r.name) for r in runs]
    if len(set(short)) == len(short):
        for run, name in zip(runs, short, strict=True):
            run.name = name


def plot_command(args: Any) -> int:
    console = Console()
    runs = [read_curves(Path(d), args.steps) for d in args.run_dirs]
    _short_names(runs)
    width = args.width or min(console.width, MAX_WIDTH)
    for chart in charts(runs, args.metric or None, width, args.height, args.log,
                        "step" if args.steps else "epoch"):
        console.print(chart)
    return 0
