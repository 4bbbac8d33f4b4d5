"""Write screenshots/panel-<arch>.svg, each from a real short training run of its preset.

Run from the repository root: ``python -m tests.app.make_panel_screenshots [ARCH ...]``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from nntui.architectures import build_session
from nntui.presets import load_preset
from tests.app.panel_harness import PanelApp, trained_history

OUT = Path("screenshots")
SIZE = (84, 46)
# file stem -> (architecture, preset, overrides)
RUNS: dict[str, tuple[str, str, list[str]]] = {
    "perceptron": ("perceptron", "perceptron-blobs", ["train.epochs=2"]),
    "mlp": ("mlp", "mlp-spiral", ["train.epochs=25"]),
    "mlp-regression": ("mlp", "mlp-regression", ["train.epochs=40"]),
    "cnn": ("cnn", "cnn-shapes", ["train.epochs=2", "dataset.n_samples=1500"]),
    "rnn": ("rnn", "rnn-memory", ["train.epochs=2", "dataset.n_samples=1000"]),
    "lstm": ("lstm", "lstm-memory", ["train.epochs=3", "dataset.n_samples=1500"]),
    "lstm-sine": ("lstm", "lstm-sine", ["train.epochs=3", "dataset.n_samples=1000"]),
    "gru": ("gru", "gru-memory", ["train.epochs=3", "dataset.n_samples=1500"]),
    "gan": ("gan", "gan-gaussians", ["train.epochs=15"]),
    "gan-shapes": ("gan", "gan-shapes", ["train.epochs=4"]),
    "autoencoder": ("autoencoder", "autoencoder-shapes", ["train.epochs=4"]),
    "denoising-autoencoder": ("autoencoder", "denoising-autoencoder-shapes",
                              ["train.epochs=4"]),
    "transformer": ("transformer", "transformer-addition", ["train.epochs=6"]),
    "transfer": ("transfer", "transfer-shapes", ["train.epochs=2", "model.pretrain_epochs=2"]),
}


async def shoot(stem: str) -> None:
    arch, preset, overrides = RUNS[stem]
    t0 = time.perf_counter()
    session = build_session(load_preset(preset, overrides=overrides))
    history = trained_history(session, snapshot_every=10)
    app = PanelApp(arch, history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.save_screenshot(filename=f"panel-{stem}.svg", path=str(OUT))
    print(f"panel-{stem}.svg ({preset}, {time.perf_counter() - t0:.1f} s)")


def main(stems: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for stem in stems or list(RUNS):
        asyncio.run(shoot(stem))


if __name__ == "__main__":
    main(sys.argv[1:])
