"""The layer editor: the model as a list of layers to add, remove, reorder and set.

Each row shows the layer's output shape and parameter count as it is edited (built
on the dataset's input shape by :func:`~nntui.architectures.layer_table.check_rows`);
a layer that cannot connect is marked in red with the reason. The chosen row's
settings are a form below the table. ``ctrl+s`` saves the config with the model as
``model.layers`` (``nntui train FILE`` runs it); Esc returns the layers to the
launcher, which trains them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from nntui.app.form import FormSpec
from nntui.app.screens.confirm_screen import ConfirmScreen
from nntui.app.screens.path_screen import PathScreen
from nntui.app.widgets.form_field import FormField
from nntui.app.widgets.layer_rows import LayerRows, shape_text
from nntui.architectures.layer_table import (
    LAYER_TYPES,
    SETTINGS,
    LayerContext,
    RowCheck,
    Setting,
    check_rows,
    config_with_layers,
    first_error,
    new_table,
)
from nntui.runlog.config import to_toml_value

TYPE_KEY = "layer.type"


def _spec(s: Setting) -> FormSpec:
    kind = "choice" if s.kind in ("choice", "bool") else s.kind
    choices = ("false", "true") if s.kind == "bool" else s.choices
    label = "L2" if s.name == "l2" else s.name.replace("_", " ")
    return FormSpec(f"layer.{s.name}", label, kind, choices, s.help)


def _text(value: Any, s: Setting) -> str:
    return str(bool(value)).lower() if s.kind == "bool" else f"{value:g}" \
        if isinstance(value, float) else str(value)


def _parse(text: str, s: Setting) -> Any:
    """The setting's value; raises ValueError with a one-line reason."""
    if s.kind == "bool":
        return text == "true"
    if s.kind == "int":
        if not text.strip().lstrip("-").isdigit() or len(text.strip()) > 9:
            raise ValueError(f"{s.name} must be a whole number. Received: {text!r}")
        return int(text)
    if s.kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{s.name} must be a number. Received: {text!r}") from None
    return text


class LayerEditorScreen(Screen[list[dict[str, Any]] | None]):
    """Edits ``tables`` for data of ``context``; dismissed with the tables (Esc, when
    every layer connects) or None (left without them).

    Args:
        tables: the layers to start from (a preset's, see ``tables_of``).
        context: the dataset's input shape, task and classes.
        base: the launcher's config, which a save writes with these layers.
        title: what the heading calls the model.
    """

    BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add a layer after the chosen one (then choose "
                "its type)", id="add-layer"),
        Binding("x,delete", "remove", "Remove", key_display="x",
                tooltip="Remove the chosen layer", id="remove-layer"),
        Binding("shift+up,ctrl+up", "move(-1)", "Up", key_display="shift+↑",
                tooltip="Move the chosen layer up"),
        Binding("shift+down,ctrl+down", "move(1)", "Down", key_display="shift+↓",
                tooltip="Move the chosen layer down"),
        Binding("ctrl+s", "save", "Save TOML", tooltip="Save the config with these layers "
                "(nntui train FILE runs it)", id="save-layers"),
        Binding("escape", "done", "Done", key_display="esc",
                tooltip="From a setting: back to the rows; from the rows: back to the "
                "launcher with these layers (Train starts them)"),
        Binding("question_mark", "app.help", "Help", key_display="?",
                tooltip="Every key of this screen"),
    ]
    COMMANDS_TABLE = {
        "add": ("Layers: add a layer", "a"),
        "remove": ("Layers: remove the chosen layer", "x"),
        "move(-1)": ("Layers: move the chosen layer up", "shift+↑"),
        "move(1)": ("Layers: move the chosen layer down", "shift+↓"),
        "save": ("Layers: save the config as TOML", "ctrl+s"),
        "done": ("Layers: back to the launcher with them", "esc"),
    }

    def __init__(self, tables: list[dict[str, Any]], context: LayerContext,
                 base: dict[str, Any], title: str = "") -> None:
        super().__init__()
        self.tables = [dict(t) for t in tables] or [new_table("Dense")]
        self.context, self.base, self.title_text = context, base, title
        self.checks: list[RowCheck] = []
        self.chosen = 0
        self._shown = -1  # the row whose settings the form shows

    def compose(self) -> ComposeResult:
        yield Static(id="editor-title")
        yield LayerRows(id="layer-rows")
        yield Static(id="layer-total")
        yield Static(id="layer-problem", markup=False)
        with VerticalScroll(id="layer-settings"):
            yield Vertical(id="layer-fields")
        yield Footer()

    @property
    def rows(self) -> LayerRows:
        return self.query_one(LayerRows)

    async def on_mount(self) -> None:
        ctx = self.context
        what = (f"{ctx.num_classes} classes" if ctx.num_classes else
                f"{ctx.task}, target size {ctx.target_size}")
        self.query_one("#editor-title", Static).update(Text.assemble(
            ("Layers", "bold"), f" of {self.title_text or 'the model'} · input "
            f"{shape_text(ctx.input_shape)} · {what}", ("  (a add, x remove, shift+↑↓ move, "
                                                        "ctrl+s save, esc done)", "dim")))
        self.refresh_rows()
        await self.show_settings()
        self.rows.focus()

    # the rows ---------------------------------------------------------------------------
    def refresh_rows(self) -> None:
        """Check every row again and redraw the table and the problem line."""
        self.checks = check_rows(self.tables, self.context)
        self.rows.show(self.tables, self.checks, self.chosen)
        self.query_one("#layer-total", Static).update(Text(LayerRows.total_line(self.checks),
                                                           "dim"))
        self._show_problem()

    def _show_problem(self) -> None:
        check = self.checks[self.chosen] if self.checks else None
        problem = self.query_one("#layer-problem", Static)
        if check is not None and check.error:
            problem.update(Text(f"✗ layer {self.chosen + 1}: {check.error}", "bold red"))
        elif first_error(self.checks):
            problem.update(Text(f"✗ {first_error(self.checks)}", "red"))
        elif check is not None and check.note:
            problem.update(Text(f"! layer {self.chosen + 1}: {check.note}", "yellow"))
        else:
            problem.update(Text("✓ every layer connects", "green"))

    @property
    def problem(self) -> str:
        """The first row that cannot connect (``"layer 2: why"``), "" when all do."""
        return first_error(self.checks)

    @on(DataTable.RowHighlighted)
    async def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows.cursor_row  # now, not when the event was sent (a redraw moves it)
        if row != self.chosen and 0 <= row < len(self.tables):
            self.chosen = row
            self._show_problem()
            await self.show_settings()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        fields = list(self.query(FormField))
        if fields:
            fields[0].control.focus()

    # the settings -----------------------------------------------------------------------
    async def show_settings(self) -> None:
        """The chosen row's settings as form fields (its type first)."""
        self._shown = self.chosen
        table = self.tables[self.chosen]
        box = self.query_one("#layer-fields", Vertical)
        await box.remove_children()
        type_spec = FormSpec(TYPE_KEY, "layer type", "choice", LAYER_TYPES,
                             "what this layer does")
        fields = [FormField(type_spec)] + [FormField(_spec(s)) for s in
                                           SETTINGS.get(str(table["type"]), ())]
        await box.mount_all(fields)
        fields[0].control.value = str(table["type"])
        for field, s in zip(fields[1:], SETTINGS.get(str(table["type"]), ()), strict=True):
            field.control.value = _text(table.get(s.name, s.default), s)

    @on(Input.Changed, "#layer-fields Input")
    @on(Select.Changed, "#layer-fields Select")
    async def _setting_changed(self, event: Input.Changed | Select.Changed) -> None:
        value = event.control.value  # now: a select sends its first option as it mounts
        if self._shown != self.chosen or value is Select.NULL:
            return
        table = self.tables[self.chosen]
        field = next((f for f in self.query(FormField) if f.control is event.control), None)
        if field is None:
            return
        if field.field_name == TYPE_KEY:
            if value != table["type"]:
                await self._change_type(str(value))
            return
        s = next(s for s in SETTINGS[str(table["type"])] if f"layer.{s.name}" == field.field_name)
        try:
            table[s.name] = _parse(str(value), s)
        except ValueError as exc:
            field.set_error(str(exc))
            return
        field.set_error(None)
        self.refresh_rows()

    async def _change_type(self, kind: str) -> None:
        old = self.tables[self.chosen]
        new = new_table(kind)
        for key in ("units", "activation"):  # what both kinds have carries over
            if key in new and key in old:
                new[key] = old[key]
        self.tables[self.chosen] = new
        self.refresh_rows()
        await self.show_settings()
        self.query_one(FormField).control.focus()

    # keys -------------------------------------------------------------------------------
    async def action_add(self) -> None:
        self.tables.insert(self.chosen + 1, new_table("Dense"))
        await self._restructured(self.chosen + 1)

    async def action_remove(self) -> None:
        if len(self.tables) == 1:
            self.notify("a model needs at least one layer", severity="warning")
            return
        del self.tables[self.chosen]
        await self._restructured(min(self.chosen, len(self.tables) - 1))

    async def action_move(self, delta: int) -> None:
        j = self.chosen + delta
        if not 0 <= j < len(self.tables):
            return
        self.tables[self.chosen], self.tables[j] = self.tables[j], self.tables[self.chosen]
        await self._restructured(j)

    async def _restructured(self, chosen: int) -> None:
        self.chosen = chosen
        self.refresh_rows()
        await self.show_settings()
        self.rows.focus()

    def action_save(self) -> None:
        if self.problem:
            self.notify(f"not saved: {self.problem}", title="layers", severity="error",
                        markup=False, timeout=8)
            return
        name = str(self.base.get("name") or "model")
        self.app.push_screen(PathScreen("Save the config with these layers as",
                                        f"{name}-layers.toml", ".toml"), self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            return
        config = config_with_layers(self.base, self.tables)
        config["name"] = path.stem
        try:
            path.write_text(tomli_w.dumps(to_toml_value(config)), encoding="utf-8")
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror or exc}", severity="error",
                        markup=False)
            return
        self.saved = path
        self.notify(f"saved {path}: nntui train {path} trains it", title="layers",
                    timeout=8, markup=False)

    saved: Path | None = None
    """The last file saved."""

    def action_done(self) -> None:
        """Esc: from a setting back to the rows; from the rows back to the launcher."""
        focused = self.focused
        if focused is not None and focused is not self.rows:
            self.rows.focus()
            return
        if not self.problem:
            self.dismiss(self.tables)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(f"These layers do not connect ({self.problem}). "
                                           "Go back without them?", yes="Leave"), answered)
