"""The step-through inspector: one batch, forward layer by layer, the loss, backward
layer by layer, then the optimizer's update, with the real numbers.

Browsing is side-effect free: the screen runs one traced step
(:func:`~nntui.engine.trace.traced_step`) without the optimizer update and walks
its numbers. Only ``u`` (apply step) changes the model; the screen says so.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from nntui.app.widgets.inspector_explain import ExplanationPanel, GradCheckPanel
from nntui.app.widgets.inspector_stages import StageBar
from nntui.app.widgets.inspector_tensors import TensorPanel
from nntui.engine.trace import StepTrace, traced_step
from nntui.errors import NntuiError
from nntui.inspect.gan_step import apply_gan_step, is_gan, trace_generator_step
from nntui.inspect.gradcheck import GradCheckResult, gradient_check
from nntui.inspect.state import InspectorState, inspection_batch, layer_config

if TYPE_CHECKING:
    from nntui.engine.trainer import Trainer

BATCH = 4  # training samples the inspector traces by default
IDLE_TIMEOUT = 5.0  # seconds to wait for a just-paused trainer to finish its step


class InspectorScreen(Screen[None]):
    """Step through one traced batch of ``model``.

    Args:
        model: a compiled, built ``Sequential`` (training paused).
        x, y: the batch (NumPy).
        source: where the batch came from, for the header ("held-out", "training"); ``u``
            applies a step only to a batch that is not held out.
    """

    AUTO_FOCUS = None
    DEFAULT_CSS = """
    InspectorScreen #inspector-body { height: 1fr; }
    InspectorScreen #inspector-tensors { width: 1fr; }
    InspectorScreen #inspector-explain {
        width: 45%; min-width: 42; max-width: 58; border-left: vkey $primary-darken-2;
    }
    """
    # the footer shows them in this order and keeps only those that fit whole
    BINDINGS = [
        Binding("left,h", "stage(-1)", "◀ stage", key_display="←", id="inspector-prev",
                tooltip="The previous stage (forward, loss, backward, update)"),
        Binding("right,l", "stage(1)", "stage ▶", key_display="→", id="inspector-next",
                tooltip="The next stage (forward, loss, backward, update)"),
        Binding("escape,q", "back", "Back", key_display="esc",
                tooltip="Back to training (still paused)"),
        Binding("question_mark", "app.help", "Help", key_display="?",
                tooltip="Every key of the inspector"),
        Binding("up,k", "layer(-1)", "layer ↑", key_display="↑", show=False,
                tooltip="The same stage of the layer before"),
        Binding("down,j", "layer(1)", "layer ↓", key_display="↓", show=False,
                tooltip="The same stage of the layer after"),
        Binding("w", "move(-1, 0)", "row ↑", show=False, tooltip="The element above"),
        Binding("s", "move(1, 0)", "row ↓", show=False, tooltip="The element below"),
        Binding("a", "move(0, -1)", "col ←", show=False, tooltip="The element to the left"),
        Binding("d", "move(0, 1)", "element", key_display="wasd",
                tooltip="The element to the right (w a s d move the chosen element)"),
        Binding("left_square_bracket", "cycle('sample', -1)", "sample −", key_display="[",
                show=False, tooltip="The previous sample of the batch"),
        Binding("right_square_bracket", "cycle('sample', 1)", "sample", key_display="[ ]",
                tooltip="The next sample of the batch"),
        Binding("comma", "cycle('channel', -1)", "channel −", key_display=",", show=False,
                tooltip="The previous channel (convolutions)"),
        Binding("full_stop", "cycle('channel', 1)", "channel", key_display=", .",
                tooltip="The next channel (convolutions)"),
        Binding("p", "cycle('param', 1)", "param", tooltip="Next parameter of this layer"),
        Binding("g", "gradcheck", "Grad check", tooltip="Finite differences for this layer"),
        Binding("u", "apply", "Apply step",
                tooltip="Train on this batch of training samples (one step): changes the model"),
    ]
    COMMANDS_TABLE = {
        "stage(1)": ("Inspector: next stage (forward, loss, backward, update)", "→"),
        "stage(-1)": ("Inspector: previous stage", "←"),
        "layer(-1)": ("Inspector: layer before", "↑"),
        "layer(1)": ("Inspector: layer after", "↓"),
        "move(0, 1)": ("Inspector: next element (w a s d)", "d"),
        "cycle('sample', 1)": ("Inspector: next sample of the batch", "]"),
        "cycle('channel', 1)": ("Inspector: next channel", "."),
        "cycle('param', 1)": ("Inspector: next parameter of this layer", "p"),
        "gradcheck": ("Gradient check: finite differences for this layer", "g"),
        "apply": ("Apply step: train on this batch of training samples", "u"),
        "back": ("Back to training (still paused)", "esc"),
    }

    def __init__(
        self, model: Any, x: np.ndarray, y: np.ndarray, *, source: str = "",
        trainer: Trainer | None = None,
    ) -> None:
        super().__init__()
        self.model, self.x, self.y = model, np.asarray(x), np.asarray(y)
        self.source = source
        self.trainer = trainer
        self.state: InspectorState | None = None
        self.gradcheck: GradCheckResult | None = None
        """The last gradient check's result (``g``)."""
        self.applied_steps = 0
        """Optimizer steps taken here with ``u``."""

    @classmethod
    def from_trainer(cls, trainer: Trainer, n: int = BATCH) -> InspectorScreen:
        """The first ``n`` training samples of a (paused) trainer: ``u`` trains on them,
        as training would (held-out samples must never train the model)."""
        x, y = inspection_batch(trainer.x, trainer.y, n)
        return cls(trainer.model, x, y, source="training", trainer=trainer)

    @property
    def rule(self) -> str | None:
        """The rule that trains a model without gradients (the perceptron's), else None."""
        if getattr(self.model, "uses_gradients", True):
            return None
        return str(getattr(self.model, "update_rule", "a rule without gradients"))

    # layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StageBar(id="inspector-stages")
        with Horizontal(id="inspector-body"):
            with VerticalScroll(id="inspector-tensors", can_focus=False):
                yield TensorPanel(id="inspector-tensor-panel")
            with VerticalScroll(id="inspector-explain", can_focus=False):
                yield ExplanationPanel(id="inspector-explanation")
                yield GradCheckPanel(id="inspector-gradcheck")
        yield Footer()

    @property
    def tensor_panel(self) -> TensorPanel:
        return self.query_one(TensorPanel)

    @property
    def explanation_panel(self) -> ExplanationPanel:
        return self.query_one(ExplanationPanel)

    @property
    def gradcheck_panel(self) -> GradCheckPanel:
        return self.query_one(GradCheckPanel)

    async def on_mount(self) -> None:
        if self.trainer is not None:  # the step in flight when paused ends first
            idle = await asyncio.to_thread(self.trainer.wait_until_paused, IDLE_TIMEOUT)
            if not idle:
                self.notify("training did not come to a pause in time; press i again",
                            title="inspector", severity="warning")
                self.dismiss()
                return
        try:
            self._start()
        except NntuiError as exc:
            self.notify(str(exc), title="inspector", severity="error", timeout=10)
            self.dismiss()
            return
        self.show()

    def _start(self) -> None:
        model = self.model
        if is_gan(model):
            opt = model.g.optimizer
        elif getattr(model, "loss", None) is None or not hasattr(model,
                                                                  "compute_loss_and_grad"):
            raise NntuiError(
                "the inspector steps through compiled Sequential models and GANs; "
                f"this run's model is a {type(model).__name__}"
            )
        else:
            opt = model.optimizer
        self.state = InspectorState(
            self._trace(),
            [layer_config(ly) for ly in model.layers],
            opt.get_config() if opt else {},
            opt.iterations if opt else 0,
            rule=self.rule,
        )

    def _trace(self, apply: bool = False) -> StepTrace:
        """The traced batch (and with ``apply``, the update taken on it, recorded)."""
        if not is_gan(self.model):
            return traced_step(self.model, self.x, self.y, apply_update=apply)
        trace = trace_generator_step(self.model, len(self.x))
        if apply:
            trace.update = apply_gan_step(self.model, self.x)
        return trace

    def show(self) -> None:
        """Redraw every part from the state."""
        if self.state is None:
            return
        ex = self.state.explain()
        n = len(self.x)
        batch = f"batch of {n} {self.source} sample{'s' if n != 1 else ''}".replace("  ", " ")
        if is_gan(self.model):
            batch = (f"G's step for {n} latent vectors z, D frozen · u: the GAN's whole step "
                     f"(D, then G) on {n} {self.source} samples")
        batch += f" · loss {self.state.trace.loss:.4g} · {self.model.backend}"
        if self.applied_steps:
            batch += f" · {self.applied_steps} step(s) applied here"
        self.query_one(StageBar).show(self.state, batch)
        self.tensor_panel.show(ex.tensors)
        self.explanation_panel.show(ex)
        if self.rule is not None or is_gan(self.model):
            self.gradcheck_panel.show(self._no_gradcheck())
            return
        self.gradcheck_panel.show(
            self.gradcheck
            if self.gradcheck and self.gradcheck.layer == self.state.names[self.state.layer]
            else None
        )

    def _no_gradcheck(self) -> str:
        if self.rule is not None:
            return f"{self.rule} takes no gradient: nothing to check numerically"
        return "g: the gradient check runs on Sequential models, not on a GAN"

    # actions -------------------------------------------------------------------------
    def action_stage(self, delta: int) -> None:
        if self.state:
            self.state.go(delta)
            self.show()

    def action_layer(self, delta: int) -> None:
        if self.state:
            self.state.change_layer(delta)
            self.show()

    def action_move(self, drow: int, dcol: int) -> None:
        if self.state:
            self.state.move(drow, dcol)
            self.show()

    def action_cycle(self, what: str, delta: int) -> None:
        if self.state:
            self.state.cycle(what, delta)
            self.show()

    def action_gradcheck(self) -> None:
        if self.state is None:
            return
        layer = self.state.layer
        if self.rule is not None or is_gan(self.model):
            self.gradcheck_panel.show(self._no_gradcheck())
            return
        if not self.model.layers[layer].params:
            self.gradcheck_panel.show(f"{self.state.names[layer]} has no parameters to check")
            return
        self.gradcheck_panel.show(f"checking {self.state.names[layer]} …")
        self._run_gradcheck(layer)

    @work(thread=True, exclusive=True, group="gradcheck", exit_on_error=False)
    def _run_gradcheck(self, layer: int) -> None:
        result = gradient_check(self.model, self.x, self.y, layer)
        self.app.call_from_thread(self._gradcheck_done, result)

    def _gradcheck_done(self, result: GradCheckResult) -> None:
        self.gradcheck = result
        self.show()

    def action_apply(self) -> None:
        """Take the optimizer step on this batch (the only key that changes the model)."""
        if self.state is None or (not is_gan(self.model) and self.model.optimizer is None):
            return
        if self.source == "held-out":
            self.notify("u is off here: this batch is held out, and held-out samples must "
                        "not train the model", title="apply step", severity="warning")
            return
        trace = self._trace(apply=True)
        opt = self.model.g.optimizer if is_gan(self.model) else self.model.optimizer
        self.state.set_trace(trace, opt.iterations)
        self.state.go_to("update")
        self.applied_steps += 1
        self.gradcheck = None
        what = self.rule or ("the GAN's step" if is_gan(self.model) else "one optimizer step")
        self.notify(
            f"applied {what} to this batch of {len(self.x)} {self.source} samples: the "
            "model's weights changed",
            title="apply step",
            timeout=4,
        )
        self.show()

    def action_back(self) -> None:
        self.dismiss()
