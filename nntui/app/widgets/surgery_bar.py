"""The surgery bar (``s`` on the live dashboard): change the model while it learns.

Choose a layer (↑/↓) and a unit (←/→); ``f`` freezes or unfreezes the layer, ``a``
switches the unit off or on again, ``i`` re-initialises the layer, ``d`` and ``k`` set
the dropout rate and the L2 factor, ``l`` the learning rate. Each change goes to the
trainer (:meth:`~nntui.engine.trainer.Trainer.submit`), which makes it between two
steps and logs it with its step; the bar reads the model only to list its layers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from nntui.app.screens.value_screen import ValueScreen
from nntui.engine import commands
from nntui.engine.surgery import Surgery, ablated_units, all_layers, unit_count
from nntui.errors import NntuiError

ENDED = ("finished", "stopped", "failed")


class SurgeryBar(Widget, can_focus=True):
    """Lists the model's layers with their state; keys change the chosen one."""

    DEFAULT_CSS = """
    SurgeryBar { dock: right; width: 36; height: 1fr; display: none; padding: 0 1;
                 border: round $accent; border-title-color: $text-accent; }
    SurgeryBar.-open { display: block; }
    """
    BINDINGS = [
        Binding("up", "layer(-1)", "◀ layer", show=False, tooltip="The layer above"),
        Binding("down", "layer(1)", "layer ▶", show=False, tooltip="The layer below"),
        Binding("left", "unit(-1)", "◀ unit", show=False, tooltip="The previous unit"),
        Binding("right", "unit(1)", "unit ▶", show=False, tooltip="The next unit"),
        Binding("f", "freeze", "Freeze", tooltip="Freeze the chosen layer, or let it train "
                "again"),
        Binding("a", "ablate", "Unit off/on", tooltip="Switch the chosen unit off (its output "
                "0), or on again"),
        Binding("i", "reinitialise", "Re-init", tooltip="Fresh random weights for the chosen "
                "layer (the others keep theirs)"),
        Binding("d", "dropout", "Dropout", tooltip="Set the dropout rate (adds Dropout after "
                "the hidden layers when there is none)"),
        Binding("k", "l2", "L2", tooltip="Set the L2 penalty on every kernel"),
        Binding("escape,s", "close", "Close", key_display="esc", tooltip="Close the bar"),
    ]
    COMMANDS_TABLE = {
        "freeze": ("Surgery: freeze or unfreeze the chosen layer", "f"),
        "ablate": ("Surgery: switch the chosen unit off or on", "a"),
        "reinitialise": ("Surgery: re-initialise the chosen layer", "i"),
        "dropout": ("Surgery: set the dropout rate", "d"),
        "l2": ("Surgery: set the L2 penalty", "k"),
    }

    class Applied(Message):
        """A change was made (or refused): ``future`` holds its event or its error."""

        def __init__(self, future: Future[Any]) -> None:
            super().__init__()
            self.future = future

    def __init__(self) -> None:
        super().__init__(id="surgery")
        self.border_title = "surgery · while it learns"
        self.layer_index = 0
        self.unit_index = 0

    # what it acts on --------------------------------------------------------------------
    @property
    def trainer(self) -> Any:
        return getattr(self.screen, "trainer", None)

    def model_layers(self) -> list[Any]:
        """The model's layers with weights (frozen, re-initialised, units switched off)."""
        trainer = self.trainer
        if trainer is None or not hasattr(trainer.model, "parts"):
            return []
        return [ly for ly in all_layers(trainer.model) if ly.params]

    def chosen(self) -> tuple[Any, int] | None:
        """The chosen layer and unit (the unit modulo the layer's count)."""
        layers = self.model_layers()
        if not layers:
            return None
        layer = layers[self.layer_index % len(layers)]
        n = unit_count(layer)
        return layer, (self.unit_index % n if n else 0)

    # showing ----------------------------------------------------------------------------
    def open(self) -> None:
        self.add_class("-open")
        self.focus()
        self.changed()

    def action_close(self) -> None:
        self.remove_class("-open")
        self._mark(None)
        self.screen.set_focus(None)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def changed(self) -> None:
        """Redraw, and mark the chosen unit in the architecture panel's tiles."""
        got = self.chosen()
        self._mark(None if got is None else (got[0].name, got[1]))
        self.refresh()

    def _mark(self, chosen: tuple[str, int] | None) -> None:
        panel = getattr(self.screen, "arch_panel", None)
        if panel is not None and hasattr(panel, "chosen") and panel.chosen != chosen:
            panel.chosen = chosen
            panel.set_panel(None)  # redraw now

    def render(self) -> Text:
        got = self.chosen()
        if got is None:
            return Text("no layer with weights to change (yet)", "dim")
        text = Text()
        for ly in self.model_layers():
            mark = "▶ " if ly is got[0] else "  "
            state = "frozen" if not ly.trainable else "trains"
            off = ablated_units(ly)
            text.append(mark + f"{ly.name[:12]:<12} ", "bold" if ly is got[0] else "")
            text.append(f"{unit_count(ly) or '':>4} {state}", "cyan" if not ly.trainable
                        else "dim")
            text.append(f" off {','.join(str(u + 1) for u in off[:4])}\n" if off else "\n",
                        "red")
        layer, unit = got
        n = unit_count(layer)
        text.append(f"\nunit {unit + 1} of {n} (←/→)\n" if n else "\nno units to switch off\n",
                    "dim")
        text.append(self._keys(layer, unit))
        return text

    def _keys(self, layer: Any, unit: int) -> Text:
        off = unit in ablated_units(layer)
        rows = [("f", f"{'unfreeze' if not layer.trainable else 'freeze'} {layer.name}"),
                ("a", f"switch unit {unit + 1} {'on' if off else 'off'}"),
                ("i", f"re-initialise {layer.name}"),
                ("d", f"dropout (now {self._dropout():g})"),
                ("k", f"L2 (now {self._l2():g})"),
                ("l", f"learning rate (now {self._lr():g})"), ("esc", "close")]
        text = Text()
        for key, what in rows:
            text.append(f"{key:>3} ", "bold")
            text.append(what + "\n")
        return text

    def _dropout(self) -> float:
        rates = [ly.rate for ly in all_layers(self.trainer.model) if hasattr(ly, "rate")]
        return float(rates[0]) if rates else 0.0

    def _l2(self) -> float:
        regs = [ly.regularizers["kernel"].l2 for ly in self.model_layers() if "kernel" in
                ly.regularizers]
        return float(regs[0]) if regs else 0.0

    def _lr(self) -> float:
        opt = getattr(self.trainer.model, "optimizer", None)
        return float(opt.learning_rate) if opt is not None else 0.0

    # keys -------------------------------------------------------------------------------
    def action_layer(self, delta: int) -> None:
        self.layer_index += delta
        self.unit_index = 0
        self.changed()

    def action_unit(self, delta: int) -> None:
        self.unit_index += delta
        self.changed()

    def action_freeze(self) -> None:
        got = self.chosen()
        if got is not None:
            self.submit(Surgery("unfreeze" if not got[0].trainable else "freeze", got[0].name))

    def action_ablate(self) -> None:
        got = self.chosen()
        if got is not None:
            off = got[1] in ablated_units(got[0])
            self.submit(Surgery("restore" if off else "ablate", got[0].name, unit=got[1]))

    def action_reinitialise(self) -> None:
        got = self.chosen()
        if got is not None:
            seed = int(getattr(self.trainer, "step", 0)) * 7919 + self.layer_index % 7919
            self.submit(Surgery("reinitialise", got[0].name, seed=seed))

    def action_dropout(self) -> None:
        if self.trainer is not None:
            self.app.push_screen(ValueScreen("the dropout rate", self._dropout(), 0.0, 1.0,
                                             below_high=True), self._typed("dropout"))

    def action_l2(self) -> None:
        if self.trainer is not None:
            self.app.push_screen(ValueScreen("the L2 factor", self._l2(), 0.0, 10.0),
                                 self._typed("l2"))

    def _typed(self, action: str) -> Callable[[float | None], None]:
        def apply(value: float | None) -> None:
            if value is not None:
                self.submit(Surgery(action, value=value))
        return apply

    def submit(self, change: Surgery) -> None:
        """Send ``change`` to the trainer; the result comes back as :class:`Applied`."""
        trainer = self.trainer
        if trainer is None:
            return
        future = trainer.submit(commands.surgery(change))
        future.add_done_callback(lambda f: self.post_message(self.Applied(f)))
        history = getattr(self.screen, "history", None)
        if history is not None and history.state in ENDED:
            self.notify("the run has ended: the change shows in the panels, but no step "
                        "follows (r trains a new model)", severity="warning", timeout=6)

    def on_surgery_bar_applied(self, message: Applied) -> None:
        try:
            event = message.future.result()
        except NntuiError as exc:
            self.notify(str(exc), title="surgery", severity="error", markup=False)
            return
        self.notify(f"step {event.step}: {event.text}", title="surgery", timeout=4,
                    markup=False)
        self.changed()
