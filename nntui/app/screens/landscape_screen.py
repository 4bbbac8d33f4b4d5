"""The loss landscape of the live run (``L`` on the dashboard): a 2-D slice around the
weights now with the path the optimizer took, and the loss along the straight line
from the initial weights to now.

The weights, the path so far and a copy of the model are taken between two steps on
the trainer's thread (``Trainer.submit``); the slice is computed in a worker thread
with progress, while training goes on (or stays paused). ``m`` switches between
random filter-normalised directions and the path's principal directions, ``r``
computes it again at the weights of that moment.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import get_current_worker

from nntui.errors import NntuiError
from nntui.inspect.landscape_run import MODES, Landscape, compute_landscape, copy_model
from nntui.viz.landscape import LossSurface
from nntui.viz.line_chart import LineChart

if TYPE_CHECKING:
    from nntui.engine.trainer import Trainer

RESOLUTION = 21  # grid points per axis: 441 + 31 loss evaluations
MODE_TEXT = {"random": "two random filter-normalised directions (Li et al. 2018)",
             "pca": "the path's two principal directions (where the optimizer went)"}


class LandscapeScreen(Screen[None]):
    """Computes and shows the landscape of ``run`` (a :class:`~nntui.app.workers.TrainingRun`)."""

    BINDINGS = [
        Binding("m", "mode", "Directions", tooltip="Random filter-normalised directions, or "
                "the path's principal directions"),
        Binding("r", "again", "Again", tooltip="Compute it again at the weights now"),
        Binding("escape", "app.pop_screen", "Back", key_display="esc",
                tooltip="Back to the dashboard"),
        Binding("question_mark", "app.help", "Help", key_display="?",
                tooltip="Every key of this screen"),
    ]
    COMMANDS_TABLE = {
        "mode": ("Landscape: random or principal directions", "m"),
        "again": ("Landscape: compute again at the weights now", "r"),
    }

    class Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Computed(Message):
        def __init__(self, landscape: Landscape | None, error: str = "") -> None:
            super().__init__()
            self.landscape, self.error = landscape, error

    def __init__(self, run: Any, mode: str = "random") -> None:
        super().__init__()
        self.run, self.mode = run, mode
        self.landscape: Landscape | None = None
        """The last slice computed (None while the first one is computed)."""

    def compose(self) -> ComposeResult:
        yield Static(id="landscape-title")
        yield ProgressBar(id="landscape-progress", show_eta=False)
        yield Static(id="landscape-body")
        yield Footer()

    def on_mount(self) -> None:
        self.action_again()

    def on_resize(self) -> None:
        self._draw()

    # computing --------------------------------------------------------------------------
    def action_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.action_again()

    def action_again(self) -> None:
        self.workers.cancel_group(self, "landscape")
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one(ProgressBar).display = True
        self.query_one("#landscape-title", Static).update(Text.assemble(
            ("Loss landscape", "bold"), f" · computing along {MODE_TEXT[self.mode]}…"))
        self._compute(self.mode)

    @work(thread=True, exclusive=True, group="landscape", exit_on_error=False)
    def _compute(self, mode: str) -> None:
        worker = get_current_worker()
        try:
            taken: list[Any] = []
            self.run.trainer.submit(lambda trainer: self._take(trainer, taken)).result(30)
            model, center, trail, step, x, y = taken
            last = [0.0]

            def progress(done: int, total: int) -> None:
                if time.monotonic() - last[0] > 0.2 or done == total:
                    last[0] = time.monotonic()
                    self.post_message(self.Progressed(done, total))
            land = compute_landscape(model, x, y, center, trail, step, mode, RESOLUTION,
                                     seed=step, progress=progress,
                                     cancelled=lambda: worker.is_cancelled)
        except NntuiError as exc:
            self.post_message(self.Computed(None, str(exc)))
            return
        except TimeoutError:
            self.post_message(self.Computed(None, "the trainer did not answer in 30 s"))
            return
        if not worker.is_cancelled:
            self.post_message(self.Computed(land))

    def _take(self, trainer: Trainer, into: list[Any]) -> None:
        """On the trainer's thread, between steps: the copy, the weights, the path (a
        command that changes nothing, so it emits nothing)."""
        trail = self.run.trail
        if trail is None:
            raise NntuiError("the loss landscape needs a model trained by gradient descent "
                             "on a loss (a perceptron's rule and a GAN's two losses have none)")
        into.extend([copy_model(trainer.model), trainer.model.get_weights(),
                     list(trail.points), trainer.step, trainer.x, trainer.y])
    def on_landscape_screen_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    def on_landscape_screen_computed(self, message: Computed) -> None:
        self.query_one(ProgressBar).display = False
        if message.landscape is None:
            self.query_one("#landscape-title", Static).update(
                Text.assemble(("Loss landscape: ", "bold"), (message.error, "red")))
            return
        self.landscape = message.landscape
        self._draw()

    # drawing ----------------------------------------------------------------------------
    def _draw(self) -> None:
        land = self.landscape
        if land is None or not self.is_mounted:
            return
        size = self.query_one("#landscape-body", Static).size
        width, height = max(20, size.width), max(10, size.height)
        explained = "" if land.explained is None else \
            f" ({land.explained[0]:.0%} and {land.explained[1]:.0%} of the path's spread)"
        self.query_one("#landscape-title", Static).update(Text.assemble(
            ("Loss landscape", "bold"), f" at step {land.step}, along {MODE_TEXT[land.mode]}"
            f"{explained} · loss on {land.samples} training samples, dropout off",
            ("  m: directions · r: again · esc: back", "dim")))
        line_h = max(6, height // 4)
        surface = LossSurface(land.alphas, land.betas, land.losses, land.path, width,
                              height - line_h - 1)
        chart = LineChart({"loss": (land.ts, land.line)}, width, line_h,
                          title="loss on the line from the initial weights (t=0) to now (t=1)")
        self.query_one("#landscape-body", Static).update(Group(surface, Text(""), chart))
