"""Changes made while a model learns are rows of ``metrics.jsonl`` with their step, and a
replay reads them back as the events the trainer emitted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nntui.engine.events import ModelChanged, StepCompleted
from nntui.errors import CheckpointError
from nntui.runlog import RunLogger, read_csv_rows, rows_to_events
from nntui.runlog.replay import read_jsonl_rows

CHANGES = [
    ModelChanged(3, 1, "ablate", "dense", 2, 0.0, 0, "switched off unit 3 of dense"),
    ModelChanged(5, 1, "reinitialise", "dense_1", -1, 0.0, 41, "re-initialised dense_1"),
    ModelChanged(6, 2, "l2", "", -1, 0.001, 0, "L2 factor 0.001"),
]


def _write(folder: Path) -> None:
    with RunLogger(folder, tensorboard=False) as log:
        for n in range(1, 7):
            log.handle(StepCompleted(n, 1, n, {"loss": 1.0 / n}, 0.01, 100.0, n / 10))
            for change in CHANGES:
                if change.step == n:
                    log.handle(change)


def test_changes_are_logged_between_the_steps_and_replayed(tmp_path: Path) -> None:
    _write(tmp_path)
    rows = read_jsonl_rows(tmp_path / "metrics.jsonl")
    kinds = [(r["kind"], r["step"]) for r in rows]
    assert kinds[:4] == [("step", 1), ("step", 2), ("step", 3), ("change", 3)]
    assert rows[3] == {"kind": "change", "step": 3, "epoch": 1, "action": "ablate",
                       "layer": "dense", "unit": 2, "value": 0.0, "seed": 0,
                       "text": "switched off unit 3 of dense"}
    replayed = [e for e in rows_to_events(rows) if isinstance(e, ModelChanged)]
    assert replayed == CHANGES
    assert all(r["kind"] == "step" for r in read_csv_rows(tmp_path / "metrics.csv"))


def test_a_damaged_change_row_is_one_clear_error(tmp_path: Path) -> None:
    row = {"kind": "change", "step": 2, "action": "ablate", "unit": "three"}
    with pytest.raises(CheckpointError, match="'unit' is not int"):
        rows_to_events([json.loads(json.dumps(row))])
