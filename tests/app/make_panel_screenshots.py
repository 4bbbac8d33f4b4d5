"""Write screenshots/panel-<arch>.svg, each from a real run of its preset to its end.

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
# file stem -> (architecture, preset, overrides): each preset as it ships, trained to its
# end (it reaches its stated result), so every panel shows a net that learned
RUNS: dict[str, tuple[str, str, list[str]]] = {
    "perceptron": ("perceptron", "perceptron-blobs", []),
    "mlp": ("mlp", "mlp-spiral", []),
    "mlp-regression": ("mlp", "mlp-regression", []),
    "cnn": ("cnn", "cnn-shapes", []),
    "rnn": ("rnn", "rnn-memory", []),
    "lstm": ("lstm", "lstm-memory", []),
    "lstm-sine": ("lstm", "lstm-sine", []),
    "gru": ("gru", "gru-memory", []),
    "gan": ("gan", "gan-gaussians", []),
    "gan-shapes": ("gan", "gan-shapes", []),
    "autoencoder": ("autoencoder", "autoencoder-shapes", []),
    "denoising-autoencoder": ("autoencoder", "denoising-autoencoder-shapes", []),
    "transformer": ("transformer", "transformer-addition", []),
    "transfer": ("transfer", "transfer-shapes", []),
}


async def shoot(stem: str) -> None:
    arch, preset, overrides = RUNS[stem]
    t0 = time.perf_counter()
    session = build_session(load_preset(preset, overrides=overrides))
    history = trained_history(session, snapshot_every=session.spec.train.snapshot_every)
    app = PanelApp(arch, history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.save_screenshot(filename=f"panel-{stem}.svg", path=str(OUT))
    val = {k: round(v.last or 0.0, 3) for k, v in history.epoch_metrics.items()
           if k.startswith("val_")}
    print(f"panel-{stem}.svg ({preset}, step {history.step}, {val}, "
          f"{time.perf_counter() - t0:.1f} s)")


def main(stems: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for stem in stems or list(RUNS):
        asyncio.run(shoot(stem))


if __name__ == "__main__":
    main(sys.argv[1:])
