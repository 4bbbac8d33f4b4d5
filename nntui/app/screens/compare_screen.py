"""``nntui compare RUN_A RUN_B …``: runs side by side, curves overlaid and panels paired.

Each run folder is followed as a replay follows it (finished, or still being written),
so two configurations trained at once (``nntui train`` twice, or a race) are watched
as they go. The top chart draws every run's loss and metric under its name; below,
each run has a column with its architecture panel and its weight histograms, at the
same height, so the same figure of two runs can be read side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from nntui.app.history import RunHistory
from nntui.app.widgets.arch_panel import panel_for
from nntui.app.widgets.curves import CurvesPanel
from nntui.app.widgets.histograms import HistogramPanel
from nntui.app.widgets.key_footer import KeyFooter
from nntui.app.widgets.panel import Panel
from nntui.errors import NntuiError
from nntui.runlog.stream import RunStream

POLL_SECONDS = 0.5


def _flat(config: object, prefix: str = "") -> dict[str, object]:
    if not isinstance(config, dict):
        return {prefix[:-1]: config}
    out: dict[str, object] = {}
    for key, value in config.items():
        out.update(_flat(value, f"{prefix}{key}."))
    return out


def run_labels(folders: list[Path], configs: Sequence[object]) -> list[str]:
    """Names for the legend: the values that differ between the runs' configs
    (``sigmoid`` vs ``relu``; :func:`differences` names the keys), else the folder names without
    their date and time; made unique with A, B, C …."""
    flat = [_flat(c) for c in configs]
    differ = differences(configs)[:2]
    if differ:  # the values alone: the legend of a half-width chart has room for them
        names = [", ".join(str(f.get(k, "–")) for k in differ) for f in flat]
    else:
        names = [f.name.split("_", 2)[-1] if f.name.count("_") >= 2 else f.name
                 for f in folders]
    if len(set(names)) < len(names):
        names = [f"{chr(65 + i)} {n}" for i, n in enumerate(names)]
    return names


def differences(configs: Sequence[object]) -> list[str]:
    """The config keys whose values differ between the runs (``train.learning_rate``)."""
    flat = [_flat(c) for c in configs]
    keys = sorted({k for f in flat for k in f if k != "name"})
    return [k for k in keys if len({repr(f.get(k)) for f in flat}) > 1]


def _config(stream: RunStream) -> dict[str, object]:
    try:
        config = stream.metrics.config
    except (NntuiError, ValueError, UnicodeDecodeError):
        return {}
    return config if isinstance(config, dict) else {}


def _architecture(stream: RunStream) -> str:
    arch = _config(stream).get("architecture", "")
    return arch if isinstance(arch, str) else ""


class CompareScreen(Screen[None]):
    """Two or more run folders, followed together.

    Raises:
        CheckpointError: a folder is missing or holds no metrics (shown by the app).
    """

    BINDINGS = [Binding("q", "app.quit", "Quit", tooltip="Close the comparison")]
    DEFAULT_CSS = """
    CompareScreen #compare-curves { height: 2fr; }
    CompareScreen #compare-pairs { height: 3fr; }
    CompareScreen .compare-run { width: 1fr; }
    CompareScreen .compare-run--name { height: 1; text-style: bold; padding: 0 1; }
    CompareScreen .compare-run > Panel { height: 1fr; }
    """

    def __init__(self, folders: list[str | Path]) -> None:
        super().__init__()
        self.folders = [Path(f) for f in folders]
        self.streams = [RunStream(f) for f in self.folders]
        configs = [_config(s) for s in self.streams]
        self.labels = run_labels(self.folders, configs)
        self.differ = differences(configs)
        """The config keys the runs differ in (said in the subtitle)."""
        self.histories = [RunHistory(run_name=label, state="replay") for label in self.labels]
        self.overlay = RunHistory(run_name="compare", state="replay")
        """What the top chart draws: no curves of its own, every run as a companion."""
        self.overlay.companions = list(zip(self.labels, self.histories, strict=True))

    def compose(self) -> ComposeResult:
        yield CurvesPanel("loss and metrics, every run", id="compare-curves")
        with Horizontal(id="compare-pairs"):
            for i, (label, stream) in enumerate(zip(self.labels, self.streams, strict=True)):
                arch = _architecture(stream)
                with Vertical(classes="compare-run", id=f"compare-run-{i}"):
                    yield Static(classes="compare-run--name", markup=False)
                    yield panel_for(arch)(arch)
                    yield HistogramPanel(f"{label}: weights and gradients")
        yield KeyFooter()

    @property
    def curves(self) -> CurvesPanel:
        return self.query_one("#compare-curves", CurvesPanel)

    def run_column(self, i: int) -> Vertical:
        return self.query_one(f"#compare-run-{i}", Vertical)

    def on_mount(self) -> None:
        what = f" ({', '.join(self.differ[:2])})" if self.differ else ""
        self.sub_title = " vs ".join(self.labels) + what
        self.curves.show(self.overlay)
        for i, history in enumerate(self.histories):
            for panel in self.run_column(i).query(Panel):
                panel.show(history)
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        """Fold what each folder gained into its history; redraw what changed."""
        for i, (stream, history) in enumerate(zip(self.streams, self.histories, strict=True)):
            try:
                for event in stream.read():
                    history.apply(event)
            except NntuiError as exc:
                self.notify(str(exc), title=self.labels[i], severity="error", markup=False)
                continue
            if history.state in ("running", "starting"):
                history.state = "replay"
            self.run_column(i).query_one(".compare-run--name", Static).update(
                self.run_line(i))
        for panel in self.query(Panel):
            panel.tick()

    def run_line(self, i: int) -> Text:
        """``relu · loss 0.0123 · val_accuracy 0.98 · step 600 · finished`` (the figures
        first: a narrow column cuts the end)."""
        h = self.histories[i]
        parts = []
        for key in ("loss", "val_accuracy"):
            series = h.step_metrics.get(key) or h.epoch_metrics.get(key)
            if series is not None and series.last is not None:
                parts.append(f"{key} {series.last:.3g}")
        parts += [f"step {h.step:,}", h.state]
        return Text.assemble((self.labels[i], "bold"), " · ", " · ".join(parts))
