"""Between the launcher and the layer editor: build the form's model once (on a worker
thread: a dataset may take a moment) to fill the editor with its layers, and hand the
edited layers back to the launcher as ``model.layers``."""

from __future__ import annotations

from typing import Any

from nntui.architectures.layer_table import config_with_layers, context_of, tables_of
from nntui.errors import NntuiError


def has_layer_editor(arch: Any) -> bool:
    """Whether the architecture takes its model as layer tables (``model.layers``)."""
    return any(f.name == "layers" for f in getattr(arch, "fields", ()))


def open_layer_editor(launcher: Any) -> None:
    """Open the editor on the model the launcher's form describes (after checking it)."""
    spec = launcher.validate()
    if spec is None:
        launcher.notify("fix the marked fields first", severity="warning")
        return
    launcher.notify("building the model for the layer editor…", timeout=2)
    launcher.app.run_worker(lambda: _build(launcher, spec), thread=True, group="layers",
                            exit_on_error=False)


def _build(launcher: Any, spec: Any) -> None:
    app = launcher.app
    try:
        session = launcher.catalog.build_session(spec)
        tables, context = tables_of(session.model), context_of(session)
    except NntuiError as exc:
        app.call_from_thread(launcher.notify, str(exc), title="layers", severity="error",
                             markup=False)
        return
    app.call_from_thread(_push, launcher, spec, tables, context)


def _push(launcher: Any, spec: Any, tables: list[dict[str, Any]], context: Any) -> None:
    from nntui.app.screens.layer_editor_screen import LayerEditorScreen

    base = spec.to_dict()
    base.pop("expect", None)  # another model: the preset's target no longer applies

    def edited(result: list[dict[str, Any]] | None) -> None:
        if result is not None:
            launcher.use_config(config_with_layers(base, result))

    launcher.app.push_screen(LayerEditorScreen(tables, context, base,
                                               str(base.get("title") or spec.name)), edited)
