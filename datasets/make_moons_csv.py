"""Writes ``moons.csv`` next to this file: the bundled example for nntui's CSV loader.

400 points of two interleaving half moons (the embedded ``moons`` generator's
formula, seed 0, noise 0.1), unscaled, three columns: ``x1``, ``x2`` and the class
``moon`` (0 upper, 1 lower). Run ``python datasets/make_moons_csv.py`` to rebuild it;
``tests/data/test_bundled.py`` checks the file equals what this writes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def moons_csv_text(n: int = 400, seed: int = 0, noise: float = 0.1) -> str:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    rng.shuffle(y)
    t = rng.uniform(0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where((y == 0)[:, None], upper, lower) + noise * rng.standard_normal((n, 2))
    rows = [f"{a:.4f},{b:.4f},{c}" for (a, b), c in zip(x, y, strict=True)]
    return "x1,x2,moon\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    (HERE / "moons.csv").write_text(moons_csv_text(), encoding="utf-8")
    print(HERE / "moons.csv")
