"""The live dashboard's side of drawing the data: start and stop drawing on the MLP
panel, send the drawn set to the trainer (it trains on it from its next epoch), change
the noise and the split, save the set as a CSV with a config that trains on it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from nntui.app.panels.drawing import Drawing
from nntui.app.screens.data_options_screen import DataOptionsScreen
from nntui.app.screens.path_screen import PathScreen
from nntui.app.widgets.arch_panel import panel_for
from nntui.data.drawn import DrawnPoints
from nntui.data.registry import list_datasets
from nntui.engine import commands
from nntui.errors import NntuiError
from nntui.runlog.config import to_toml_value

if TYPE_CHECKING:
    from nntui.engine.trainer import Trainer


def drawable(spec: Any) -> bool:
    """Whether a run's data can be drawn on at all: 2-D points, on a panel that draws
    (the footer offers ``d`` only then)."""
    dataset = getattr(spec, "dataset", None) or {}
    points = {info.name for info in list_datasets(input_kind="points2d")}
    return (dataset.get("name") in points
            and hasattr(panel_for(getattr(spec, "architecture", "")), "drawing"))


def can_draw(screen: Any) -> bool:
    """A live 2-D classification run whose session is built."""
    session = getattr(screen.training, "session", None)
    panel = screen.arch_panel
    return (session is not None and hasattr(panel, "drawing")
            and screen.history.extras.get("kind") == "boundary")


def toggle_drawing(screen: Any) -> None:
    """Start drawing on the panel (it takes the focus), or stop."""
    panel = screen.arch_panel
    if getattr(panel, "drawing", None) is not None:
        panel.drawing = None
        panel.set_panel(None)
        screen.notify("drawing done", timeout=2)
        return
    if not can_draw(screen):
        screen.notify("drawing works on 2-D point data (spiral, xor, circles, moons, blobs, "
                      "gaussian) once the first snapshot is shown", severity="warning")
        return
    try:
        points = _points_of(screen)
    except NntuiError as exc:
        screen.notify(str(exc), title="draw", severity="error", markup=False)
        return
    panel.drawing = Drawing(points, lambda pts, text: send(screen, pts, text))
    panel.set_panel(None)
    panel.focus()
    screen.notify("click in the regions to add points; 1-9 choose the class, 0 erases; "
                  "the network trains on them from its next epoch", timeout=6)


def _points_of(screen: Any) -> DrawnPoints:
    spec, session = screen.spec, screen.training.session
    options = {k: v for k, v in spec.dataset.items() if k not in ("name", "seed")}
    seed = int(spec.dataset.get("seed", spec.train.seed))
    held = None if session.x_val is None else (session.x_val, session.y_val)
    return DrawnPoints.from_arrays(spec.dataset["name"], options, seed,
                                   (session.x_train, session.y_train), held)


def send(screen: Any, points: DrawnPoints, text: str) -> None:
    """Give the trainer the drawn set (from its next epoch) and the panel its picture."""
    run = screen.training
    if run is None or run.trainer is None:
        return
    x, y, xv, yv = points.arrays()
    session = run.session
    inner = commands.replace_data(x, y, xv if len(xv) else None, yv if len(yv) else None,
                                  f"{text}: now {len(x)} training points")

    def command(trainer: Trainer) -> Any:
        event = inner(trainer)
        session.x_train, session.y_train = x, y  # what the panel draws from now on
        if len(xv):
            session.x_val, session.y_val = xv, yv
        return event

    run.trainer.submit(command, at_epoch_start=True)
    screen.arch_panel.set_panel(None)
    if screen.history.state in ("finished", "stopped", "failed"):
        screen.notify("the run has ended: the points are in its data, but no epoch follows "
                      "(c saves them; r trains a new model on the preset's data)",
                      severity="warning", timeout=6)


def options(screen: Any) -> None:
    """The noise and validation split of the set being drawn."""
    drawing = getattr(screen.arch_panel, "drawing", None)
    if drawing is None:
        return
    pts = drawing.points

    def apply(result: tuple[float, float] | None) -> None:
        if result is None:
            return
        try:
            if pts.has_noise and result[0] != pts.noise:
                pts.set_noise(result[0])
            pts.set_split(result[1])
        except NntuiError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        send(screen, pts, f"noise {pts.noise:g}, {pts.split:.0%} held out")

    screen.app.push_screen(DataOptionsScreen(pts.noise if pts.has_noise else None, pts.split),
                           apply)


def save(screen: Any) -> None:
    """Ask where, then write the drawn set as CSV and a config training on it."""
    drawing = getattr(screen.arch_panel, "drawing", None)
    run = screen.training
    if drawing is None or run is None or run.run_dir is None:
        return

    def write(path: Path | None) -> None:
        if path is None:
            return
        try:
            drawing.points.to_csv(path)
            config = screen.spec.to_dict()
            config.update(name=f"{path.stem}", title=f"{config.get('title', '')} (drawn data)")
            config["dataset"] = {"name": "csv", "path": str(path.resolve())}
            config.pop("expect", None)
            toml = path.with_suffix(".toml")
            toml.write_text(tomli_w.dumps(to_toml_value(config)), encoding="utf-8")
        except (NntuiError, OSError) as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        screen.notify(f"saved {path} ({drawing.points.counts()[0]} + "
                      f"{drawing.points.counts()[1]} points) and {toml.name}: "
                      f"nntui train {toml} trains on it", title="draw", timeout=10,
                      markup=False)

    screen.app.push_screen(PathScreen("Save the drawn data as", str(run.run_dir / "drawn.csv"),
                                      ".csv"), write)
