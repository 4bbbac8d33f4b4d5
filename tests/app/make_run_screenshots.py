"""Write screenshots/panel-<name>.svg from finished run folders (``nntui train`` runs of
the GPT, seq2seq, GAN and transfer presets, which take minutes to train): the run's
logged metrics replayed into the dashboard's history, and the panel's data computed
from its checkpoint, as at its last snapshot.

Run from the repository root:
``python -m tests.app.make_run_screenshots NAME=RUN_DIR ... [--data-dir DIR]``, e.g.
``gpt=runs/2026-12-05_1857_gpt-shakespeare``.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from nntui.app.history import RunHistory
from nntui.architectures import build_session
from nntui.panel_data import compute_panel_data
from nntui.presets import spec_from_dict
from nntui.runlog.checkpoint import load_checkpoint
from nntui.runlog.config import read_config
from nntui.runlog.model_state import restore_state
from nntui.runlog.replay import read_jsonl_rows, rows_to_events
from tests.app.panel_harness import PanelApp, history_with_extras

OUT = Path("screenshots")
SIZE = (96, 56)


def history_of(run: Path, data_dir: str | None) -> tuple[str, RunHistory]:
    """The run's architecture and its history: every logged row, then the panel data."""
    spec = spec_from_dict(read_config(run))
    session = build_session(spec, data_dir=data_dir)
    restore_state(session.model, load_checkpoint(run).arrays)
    history = RunHistory()
    for event in rows_to_events(read_jsonl_rows(run / "metrics.jsonl")):
        history.apply(event)
    extras = compute_panel_data(session, session.model, session.x_val, session.y_val)
    return spec.architecture, history_with_extras(extras, history)


async def shoot(name: str, run: Path, data_dir: str | None) -> None:
    arch, history = history_of(run, data_dir)
    app = PanelApp(arch, history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.save_screenshot(filename=f"panel-{name}.svg", path=str(OUT))
    print(f"panel-{name}.svg from {run}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", metavar="NAME=RUN_DIR")
    p.add_argument("--data-dir")
    args = p.parse_args()
    OUT.mkdir(exist_ok=True)
    for item in args.runs:
        name, _, run = item.partition("=")
        asyncio.run(shoot(name, Path(run), args.data_dir))


if __name__ == "__main__":
    main()
