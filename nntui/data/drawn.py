"""A 2-D dataset the learner draws on: the generator's points, its noise, points added
and erased by hand, and the train/validation split.

:class:`DrawnPoints` keeps the generated pool (``dataset`` options, ``noise``) apart
from the hand-made changes, so a new noise or split redraws the generator's points
and keeps the added ones. Added points always train (they are what the learner wants
the network to see); the generator's points are split by ``split`` with a fixed
permutation. :meth:`DrawnPoints.to_csv` writes ``x1,x2,label`` rows that
``dataset.name = "csv"`` reads back.

Example:
    >>> pts = DrawnPoints.generate("spiral", {"n_samples": 300}, seed=0)
    >>> pts.add((0.2, -0.4), label=1)
    >>> x_train, y_train, x_val, y_val = pts.arrays()
"""

from __future__ import annotations

import csv
import inspect
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nntui.data.registry import DATASETS, load_dataset
from nntui.errors import DatasetError

MAX_NOISE = 5.0
MAX_DRAWN = 5000  # points added by hand, at most


@dataclass
class DrawnPoints:
    """A drawable 2-D classification set.

    Attributes:
        name: the generator (``spiral``, ``xor``, ...).
        options: its other loader options (``n_samples``, ``num_classes``, ...).
        seed: the generator's seed (and the split's).
        noise: the generator's noise.
        split: the share of the generated points held out for validation.
        num_classes, class_names: the classes a drawn point may take.
    """

    name: str
    options: dict[str, Any]
    seed: int
    noise: float
    split: float
    num_classes: int
    class_names: tuple[str, ...]
    base_x: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    base_y: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    base_kept: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    base_val: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    added_x: list[tuple[float, float]] = field(default_factory=list)
    added_y: list[int] = field(default_factory=list)

    @classmethod
    def generate(cls, name: str, options: dict[str, Any] | None = None, seed: int = 0,
                 noise: float | None = None, split: float = 0.2) -> DrawnPoints:
        """The generator's points, ready to draw on.

        Raises:
            DatasetError: not a 2-D classification generator, or bad options.
        """
        info = DATASETS.get(name)
        if info is None or info.input_kind != "points2d" or info.task != "classification":
            raise DatasetError(f"only 2-D point datasets can be drawn on (blobs, xor, circles, "
                               f"moons, spiral, gaussian). Received: {name!r}")
        params = inspect.signature(info.loader).parameters
        opts = {k: v for k, v in (options or {}).items() if k not in ("noise", "seed")}
        if noise is None:
            noise = float(params["noise"].default) if "noise" in params else 0.0
        pts = cls(name, opts, seed, float(noise), float(split), 0, ())
        pts.regenerate()
        return pts

    @classmethod
    def from_arrays(cls, name: str, options: dict[str, Any], seed: int,
                    train: tuple[np.ndarray, np.ndarray],
                    held_out: tuple[np.ndarray, np.ndarray] | None) -> DrawnPoints:
        """A run's own training and held-out points, to draw on as they are (a new noise
        or split draws the generator's points again).

        Raises:
            DatasetError: not a 2-D classification generator.
        """
        pts = cls.generate(name, options, seed)
        xv, yv = held_out if held_out is not None else (np.zeros((0, 2)), np.zeros(0))
        pts.base_x = np.concatenate([train[0], xv]).astype(np.float32).reshape(-1, 2)
        pts.base_y = np.concatenate([train[1], yv]).astype(np.int64).reshape(-1)
        pts.base_kept = np.ones(len(pts.base_x), bool)
        pts.base_val = np.arange(len(pts.base_x)) >= len(train[0])
        pts.split = len(xv) / max(1, len(pts.base_x))
        return pts

    @property
    def has_noise(self) -> bool:
        return "noise" in inspect.signature(DATASETS[self.name].loader).parameters

    def regenerate(self) -> None:
        """Draw the generator's points again with the current noise (erasures of its
        points are undone; added points stay)."""
        kw: dict[str, Any] = {**self.options, **({"noise": self.noise} if self.has_noise else {})}
        ds = load_dataset(self.name, seed=self.seed, **kw)
        self.base_x = np.concatenate([ds.x_train, ds.x_test]).astype(np.float32)
        self.base_y = np.concatenate([ds.y_train, ds.y_test]).astype(np.int64).reshape(-1)
        self.base_kept = np.ones(len(self.base_x), bool)
        self.base_val = self._held_out()
        self.num_classes = int(ds.num_classes or 2)
        self.class_names = tuple(ds.class_names or (str(i) for i in range(self.num_classes)))

    # editing -----------------------------------------------------------------------
    def add(self, point: tuple[float, float], label: int) -> None:
        """Add a training point of class ``label``.

        Raises:
            DatasetError: an unknown class, a point that is not finite, or too many points.
        """
        if not 0 <= label < self.num_classes:
            raise DatasetError(f"label must be a class from 0 to {self.num_classes - 1}. "
                               f"Received: {label}")
        if not np.all(np.isfinite(point)):
            raise DatasetError(f"a drawn point must be finite. Received: {point}")
        if len(self.added_x) >= MAX_DRAWN:
            raise DatasetError(f"at most {MAX_DRAWN} points can be drawn by hand")
        self.added_x.append((float(point[0]), float(point[1])))
        self.added_y.append(int(label))

    def erase(self, point: tuple[float, float], radius: float) -> int:
        """Remove every point within ``radius`` of ``point``; returns how many."""
        p = np.asarray(point, np.float64)
        near = np.linalg.norm(self.base_x - p, axis=1) <= radius
        gone = int(np.sum(near & self.base_kept))
        self.base_kept &= ~near
        keep = [i for i, q in enumerate(self.added_x) if np.linalg.norm(np.subtract(q, p)) > radius]
        gone += len(self.added_x) - len(keep)
        self.added_x = [self.added_x[i] for i in keep]
        self.added_y = [self.added_y[i] for i in keep]
        return gone

    def set_noise(self, noise: float) -> None:
        """Regenerate with ``noise``.

        Raises:
            DatasetError: out of range, or a generator without noise.
        """
        if not self.has_noise:
            raise DatasetError(f"dataset {self.name!r} has no noise setting")
        if not 0.0 <= noise <= MAX_NOISE:
            raise DatasetError(f"noise must be from 0 to {MAX_NOISE}. Received: {noise:g}")
        self.noise = float(noise)
        self.regenerate()

    def set_split(self, split: float) -> None:
        """Hold out ``split`` of the generated points.

        Raises:
            DatasetError: not from 0 to 0.9.
        """
        if not 0.0 <= split <= 0.9:
            raise DatasetError(f"the validation split must be from 0 to 0.9. Received: {split:g}")
        self.split = float(split)
        self.base_val = self._held_out()

    # reading -----------------------------------------------------------------------
    def _held_out(self) -> np.ndarray:
        """Mask over the generated points: held out for validation."""
        n = len(self.base_x)
        order = np.random.default_rng(self.seed).permutation(n)
        mask = np.zeros(n, bool)
        mask[order[:round(n * self.split)]] = True
        return mask

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``x_train, y_train, x_val, y_val``: kept generated points split, added ones
        training."""
        val = self.base_val
        train = self.base_kept & ~val
        added = np.asarray(self.added_x, np.float32).reshape(-1, 2)
        x = np.concatenate([self.base_x[train], added])
        y = np.concatenate([self.base_y[train], np.asarray(self.added_y, np.int64)])
        held = self.base_kept & val
        return x, y, self.base_x[held], self.base_y[held]

    def counts(self) -> tuple[int, int, int]:
        """``(training, validation, added by hand)`` point counts."""
        x, _, xv, _ = self.arrays()
        return len(x), len(xv), len(self.added_x)

    def to_csv(self, path: str | Path) -> Path:
        """Every point (training and validation) as ``x1,x2,label`` rows.

        Raises:
            DatasetError: the file cannot be written.
        """
        x, y, xv, yv = self.arrays()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["x1", "x2", "label"])
        for (a, b), label in zip(np.concatenate([x, xv]), np.concatenate([y, yv]), strict=True):
            writer.writerow([f"{a:.6g}", f"{b:.6g}", int(label)])
        path = Path(path)
        try:
            path.write_text(out.getvalue(), encoding="utf-8")
        except OSError as exc:
            raise DatasetError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path
