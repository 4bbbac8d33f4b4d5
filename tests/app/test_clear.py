"""Clear: the layer keys skip layers without weights, a frozen layer says so, and nothing
is cut at 120×40, 170×45 or 80×24 (panels, headers, gates, the layer table, the
inspector's tables, the status line)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
from textual.app import App

from nntui.app.history import RunHistory
from nntui.app.panels.base import SectionPanel
from nntui.app.panels.generative import pairs_view
from nntui.app.panels.recurrent import gate_view
from nntui.app.screens.dashboard_screen import DashboardScreen
from nntui.app.screens.inspector_screen import InspectorScreen
from nntui.app.widgets.activation_table import ActivationTable
from nntui.app.widgets.inspector_tensors import render_plain
from nntui.app.widgets.status_line import StatusLine
from nntui.engine import events as ev
from nntui.panel_data import compute_panel_data
from tests.app.conftest import asynctest, wait_until
from tests.app.fakes import fake_events
from tests.app.panel_harness import history_with_extras, tiny_session

CSS = Path(__file__).resolve().parents[2] / "nntui" / "app" / "nntui.tcss"


class Board(DashboardScreen):
    """The dashboard showing a fixed history."""

    BINDINGS = DashboardScreen.KEYS

    def __init__(self, architecture: str, history: RunHistory) -> None:
        super().__init__(architecture)
        self.fixed = history

    def on_mount(self) -> None:
        self.history = self.fixed
        super().on_mount()


class BoardApp(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, architecture: str, history: RunHistory) -> None:
        super().__init__()
        self.board = Board(architecture, history)

    def on_mount(self) -> None:
        self.push_screen(self.board)


def _snapshot_layers(frozen: bool = False) -> tuple[ev.LayerSnapshot, ...]:
    rng = np.random.default_rng(0)
    w = {"kernel": rng.normal(size=(3, 3, 1, 4)).astype(np.float32)}
    g = {} if frozen else {"kernel": rng.normal(size=(3, 3, 1, 4)).astype(np.float32)}
    act = rng.normal(size=(8, 4)).astype(np.float32)
    return (ev.LayerSnapshot("conv2d", "Conv2D", w, g, act, 0.0 if frozen else 1.0, None,
                             not frozen),
            ev.LayerSnapshot("max_pooling2d", "MaxPooling2D", {}, {}, act, 0.0, None),
            ev.LayerSnapshot("flatten", "Flatten", {}, {}, act, 0.0, None),
            ev.LayerSnapshot("output", "Dense", {"kernel": np.ones((4, 2), np.float32)},
                             {"kernel": np.ones((4, 2), np.float32)}, act, 2.0, None))


def _history(frozen: bool = False) -> RunHistory:
    h = RunHistory()
    h.apply(ev.TrainingStarted("cnn", "numpy", 2, 10))
    h.apply(ev.SnapshotTaken(5, 1, _snapshot_layers(frozen)))
    return h


@asynctest
async def test_layer_keys_skip_layers_without_weights_and_never_open_one() -> None:
    app = BoardApp("cnn", _history())
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.board
        await pilot.pause(0.2)
        assert board.histogram_panel.shown_layer(board.history) == "conv2d"
        seen = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            seen.append(board.histogram_panel.shown_layer(board.history))
        assert seen == ["output", "conv2d", "output"]  # pooling and flatten skipped
        await pilot.press("left_square_bracket")
        assert board.histogram_panel.shown_layer(board.history) == "conv2d"
        board.layer_table.post_message(ActivationTable.LayerChosen("max_pooling2d"))
        await pilot.pause(0.1)  # a click on a row without weights keeps the layer shown
        assert board.histogram_panel.shown_layer(board.history) == "conv2d"


@asynctest
async def test_a_frozen_layer_says_frozen_not_a_gradient_norm_of_zero() -> None:
    h = _history(frozen=True)
    assert h.layers["conv2d"].frozen and "conv2d" not in h.grad_norms
    app = BoardApp("cnn", h)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        table = app.board.layer_table
        assert table.get_row("conv2d")[1].strip() == "frozen"
        assert table.get_row("output")[1].strip() == "2"
        assert table.get_row("flatten")[1].strip() == "–"


@functools.cache
def _trained(preset: str, *overrides: str) -> RunHistory:
    """A history holding the panel data of a tiny, untrained session of ``preset``."""
    session = tiny_session(preset, *overrides)
    trainer = session.trainer(snapshot_every=0)
    h = RunHistory()
    h.apply(trainer.snapshot())
    return history_with_extras(
        compute_panel_data(session, session.model, trainer.x_val, trainer.y_val), h)


def _arch_box(app: BoardApp) -> tuple[int, int]:
    size = app.board.arch_panel.content_size
    return size.width, size.height


def _text(renderable: Any, width: int) -> list[str]:
    return render_plain(renderable, width).rstrip("\n").split("\n")


@asynctest
async def test_the_autoencoders_reconstructions_fit_the_panel_at_120x40() -> None:
    history = _trained("denoising-autoencoder-shapes")
    app = BoardApp("autoencoder", history)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        width, height = _arch_box(app)
        box = height - 1  # the section's title line
        lines = _text(pairs_view(history.extras, width, box), width)
        assert len(lines) <= box, (len(lines), box)  # nothing cropped off the bottom
        assert all(word in lines[0] for word in ("noisy input", "reconstruction", "clean"))


@asynctest
async def test_panel_headers_are_not_cut_by_the_view_hint_at_80x24() -> None:
    history = _trained("mlp-spiral")
    app = BoardApp("mlp", history)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        panel = app.board.arch_panel
        assert isinstance(panel, SectionPanel)
        text = "\n".join(_text(panel.render(), panel.content_size.width))
        assert "(v:" not in text and "…" not in text.split("\n")[0]
        assert str(panel.border_subtitle).startswith("v: view 1/")


@asynctest
async def test_lstm_gates_show_more_than_two_units_at_120x40() -> None:
    history = _trained("lstm-memory", "dataset.timesteps=20", "model.hidden=[32]")
    app = BoardApp("lstm", history)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        width, height = _arch_box(app)
        panel = app.board.arch_panel
        assert isinstance(panel, SectionPanel)
        first = panel.sections(history.extras, history, width)[0]
        spare = height - 2 * (first.min_height + 1)  # two gates stacked, sharing the rest
        lines = _text(gate_view("gate_i", history.extras["gates"]["gate_i"][0], width,
                                first.min_height + spare // 2), width)
        shown = int(lines[0].split("–")[1].split()[0])
        assert shown >= 8, lines[0]


@asynctest
async def test_the_layer_table_fits_its_cell_beside_the_panels_at_170x45() -> None:
    history = _trained("cnn-shapes")
    app = BoardApp("cnn", history)
    async with app.run_test(size=(170, 45)) as pilot:
        await pilot.pause(0.3)
        board = app.board
        table = board.layer_table
        width = sum(c.get_render_width(table) for c in table.columns.values())
        assert width <= table.size.width, (width, table.size.width)
        dashboard = board.query_one("#dashboard").region
        cells = [w.region for w in board.query("#dashboard > *")]
        assert sum(r.area for r in cells) == dashboard.area  # no empty grid cell
        assert board.arch_panel.region.height == dashboard.height  # the right column


@asynctest
async def test_the_status_line_wraps_instead_of_cutting_at_80_columns() -> None:
    h = RunHistory()
    for e in fake_events(steps=60):
        h.apply(e)
    app = BoardApp("mlp", h)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        status = app.board.query_one(StatusLine)
        lines = str(status.render()).split("\n")
        assert len(lines) <= 2 and all(len(line) <= status.content_size.width for line in lines)
        assert "lr " in lines[-1] and "numpy" in lines[-1]


class _Trainer:
    """What the inspector reads from a paused trainer."""

    def __init__(self, session: Any) -> None:
        t = session.trainer(snapshot_every=0)
        self.model, self.x_val, self.y_val = session.model, t.x_val, t.y_val
        self.x, self.y = t.x, t.y

    def wait_until_paused(self, timeout: float = 5.0) -> bool:
        return True


@asynctest
async def test_the_inspectors_eight_column_tables_fit_at_120x40_and_80x24() -> None:
    session = tiny_session("mlp-xor", "model.hidden=[8]")
    for size in ((120, 40), (80, 24)):
        app = BoardApp("mlp", RunHistory())
        async with app.run_test(size=size) as pilot:
            screen = InspectorScreen.from_trainer(_Trainer(session))
            await app.push_screen(screen)
            await wait_until(pilot, lambda s=screen: s.state is not None)
            screen.state.go_to("forward", 0)  # dense: z is (4 samples, 8 units)
            screen.show()
            await pilot.pause(0.1)
            panel = screen.tensor_panel
            text = render_plain(panel.content, panel.content_size.width)
            header = [line for line in text.split("\n") if line.split()[-1:] == ["7"]]
            if size == (120, 40):  # the numbers, each table's header on one line
                assert header and all(line.split()[:2] == ["0", "1"] for line in header)
            else:  # too narrow for the numbers: a heatmap, never a wrapped table
                assert all(line.split()[:2] == ["0", "1"] for line in header)


@asynctest
async def test_zoom_never_cuts_the_layer_tables_figures() -> None:
    history = _trained("cnn-shapes")
    for size, table_shown in (((80, 24), False), ((120, 40), False), ((170, 45), True)):
        app = BoardApp("cnn", history)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.2)
            board = app.board
            await pilot.press("z")
            await pilot.pause(0.2)
            assert board.has_class("-zoom")
            table = board.layer_table
            assert table.display == table_shown, size
            if table_shown:  # beside the curves, every column whole
                width = sum(c.get_render_width(table) for c in table.columns.values())
                assert width <= table.size.width, (size, width, table.size.width)
            assert board.arch_panel.region.width > size[0] // 2  # the panel is the large one


def test_a_histogram_title_shortens_its_words_never_its_step() -> None:
    from nntui.app.widgets.histograms import column_title

    assert column_title("weights", 2150, 40) == "weights · step 2150"
    for width in (18, 14, 8, 4):  # 80 columns give each histogram ~18
        title = column_title("weights", 2150, width)
        assert "2150" in title and len(title) <= max(width, 4)


@asynctest
async def test_the_histograms_say_the_whole_step_at_80x24() -> None:
    from rich.console import Console

    h = RunHistory()
    h.apply(ev.TrainingStarted("cnn", "numpy", 2, 3000))
    h.apply(ev.SnapshotTaken(2150, 1, _snapshot_layers()))
    app = BoardApp("cnn", h)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        panel = app.board.histogram_panel
        width = panel.content_region.width
        console = Console(width=width, record=True, color_system=None)
        console.print(panel.render())
        text = console.export_text()
        assert text.count("2150") == 2, text  # weights and grads, neither cut to 215
