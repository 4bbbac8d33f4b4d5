from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import pytest

from nntui.engine.events import EpochCompleted, StepCompleted, TrainingStarted
from nntui.errors import CheckpointError, ConfigError
from nntui.runlog import (
    RunLogger,
    new_run_dir,
    read_config,
    read_csv_rows,
    read_jsonl_rows,
    rows_to_events,
)
from nntui.runlog.rows import BASE_COLUMNS
from tests.runlog.events_fixture import CONFIG, event_stream

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write_run(run_dir: Path, tensorboard: bool = False) -> list:
    events = event_stream()
    with RunLogger(run_dir, tensorboard=tensorboard) as log:
        for event in events:
            log.handle(event)
    return events


def test_csv_has_one_row_per_step_and_epoch_with_widened_header(tmp_path: Path) -> None:
    write_run(tmp_path)
    lines = (tmp_path / "metrics.csv").read_text().splitlines()
    assert lines[0] == ",".join([*BASE_COLUMNS, "loss", "accuracy", "val_loss"])
    assert lines[1] == "step,1,1,1,0.1,0.01,1001.0,1.0,0.1,"
    assert lines[4] == "epoch,3,1,,0.35,0.01,,0.5,0.3,0.6"
    assert lines[5] == "step,4,2,1,0.4,0.005,1004.0,0.25,0.4,"
    assert lines[8] == "epoch,6,2,,0.65,0.005,,0.25,0.6,0.3"
    assert len(lines) == 9


def test_csv_rows_read_back_typed(tmp_path: Path) -> None:
    write_run(tmp_path)
    rows = read_csv_rows(tmp_path / "metrics.csv")
    assert [r["kind"] for r in rows] == ["step"] * 3 + ["epoch"] + ["step"] * 3 + ["epoch"]
    assert rows[0] == {
        "kind": "step",
        "step": 1,
        "epoch": 1,
        "batch": 1,
        "elapsed": 0.1,
        "learning_rate": 0.01,
        "samples_per_second": 1001.0,
        "loss": 1.0,
        "accuracy": 0.1,
    }
    assert rows[3] == {
        "kind": "epoch",
        "step": 3,
        "epoch": 1,
        "elapsed": 0.35,
        "learning_rate": 0.01,
        "loss": 0.5,
        "accuracy": 0.3,
        "val_loss": 0.6,
    }


def test_jsonl_rows_match_events_and_end_with_finished(tmp_path: Path) -> None:
    events = write_run(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 9
    assert rows[0] == {
        "kind": "step",
        "step": 1,
        "epoch": 1,
        "batch": 1,
        "elapsed": 0.1,
        "learning_rate": 0.01,
        "samples_per_second": 1001.0,
        "loss": 1.0,
        "accuracy": 0.1,
    }
    assert rows[3] == {
        "kind": "epoch",
        "step": 3,
        "epoch": 1,
        "elapsed": 0.35,
        "learning_rate": 0.01,
        "loss": 0.5,
        "accuracy": 0.3,
        "val_loss": 0.6,
    }
    finished = {"kind": "finished", "step": 6, "epoch": 2, "stopped_early": False, "loss": 0.25}
    assert rows[-1] == finished
    logged = [e for e in events if isinstance(e, StepCompleted | EpochCompleted)]
    assert rows_to_events(rows)[:-1] == logged


def test_csv_rows_convert_back_to_the_same_events(tmp_path: Path) -> None:
    events = write_run(tmp_path)
    logged = [e for e in events if isinstance(e, StepCompleted | EpochCompleted)]
    assert rows_to_events(read_csv_rows(tmp_path / "metrics.csv")) == logged


def test_non_finite_metrics_are_strict_json_and_round_trip(tmp_path: Path) -> None:
    nan_step = StepCompleted(1, 1, 1, {"loss": float("nan"), "g": float("-inf")}, 0.1, 1.0, 0.5)
    with RunLogger(tmp_path, tensorboard=False) as log:
        log.handle(nan_step)
    line = (tmp_path / "metrics.jsonl").read_text()
    assert '"loss": "NaN"' in line and '"g": "-Infinity"' in line
    json.loads(line, parse_constant=pytest.fail)  # no bare NaN/Infinity tokens
    (back,) = rows_to_events([json.loads(line)])
    assert isinstance(back, StepCompleted)
    assert back.metrics["g"] == float("-inf") and back.metrics["loss"] != back.metrics["loss"]


def test_metric_named_like_a_field_is_kept_apart(tmp_path: Path) -> None:
    event = StepCompleted(1, 1, 1, {"loss": 1.0, "step": 9.0}, 0.1, 1.0, 0.5)
    with RunLogger(tmp_path, tensorboard=False) as log:
        log.handle(event)
    assert read_csv_rows(tmp_path / "metrics.csv")[0]["metric_step"] == 9.0
    assert rows_to_events(read_csv_rows(tmp_path / "metrics.csv")) == [event]


def test_declared_metric_names_fix_the_header_up_front(tmp_path: Path) -> None:
    with RunLogger(tmp_path, tensorboard=False, metric_names=["loss", "val_loss"]) as log:
        header = (tmp_path / "metrics.csv").read_text().splitlines()[0]
        assert header.endswith("samples_per_second,loss,val_loss")
        log.handle(StepCompleted(1, 1, 1, {"loss": 2.0}, 0.1, 1.0, 0.5))
    assert (tmp_path / "metrics.csv").read_text().splitlines()[1].endswith(",2.0,")


def test_resumed_run_appends_after_cutting_a_partial_line(tmp_path: Path) -> None:
    write_run(tmp_path)
    for name in ("metrics.csv", "metrics.jsonl"):
        with open(tmp_path / name, "a") as f:
            f.write("step,7,3,1,0.")  # a kill in the middle of a row
    resumed = StepCompleted(7, 3, 1, {"loss": 0.1, "accuracy": 0.9, "top5": 1.0}, 0.1, 9.0, 1.0)
    with RunLogger(tmp_path, tensorboard=False) as log:
        log.handle(resumed)
    csv_rows = read_csv_rows(tmp_path / "metrics.csv")
    assert len(csv_rows) == 9 and csv_rows[-1]["top5"] == 1.0 and "top5" not in csv_rows[0]
    assert rows_to_events(csv_rows)[-1] == resumed
    assert rows_to_events(read_jsonl_rows(tmp_path / "metrics.jsonl"))[-1] == resumed


def test_config_round_trips_through_tomllib(tmp_path: Path) -> None:
    write_run(tmp_path)
    with open(tmp_path / "config.toml", "rb") as f:
        assert tomllib.load(f) == CONFIG
    assert read_config(tmp_path) == CONFIG
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_config_converts_numpy_and_drops_none(tmp_path: Path) -> None:
    import numpy as np

    config = {"lr": np.float32(0.5), "shape": (28, 28), "arr": np.arange(3), "clip": None}
    with RunLogger(tmp_path, tensorboard=False) as log:
        log.handle(TrainingStarted("r", "numpy", 1, 1, config=config))
    assert read_config(tmp_path) == {"lr": 0.5, "shape": [28, 28], "arr": [0, 1, 2]}


def test_config_without_toml_form_is_a_config_error(tmp_path: Path) -> None:
    with RunLogger(tmp_path, tensorboard=False) as log, pytest.raises(ConfigError, match="x.f"):
        log.handle(TrainingStarted("r", "numpy", 1, 1, config={"x": {"f": object()}}))


def test_close_is_idempotent_and_later_events_are_ignored(tmp_path: Path) -> None:
    log = RunLogger(tmp_path, tensorboard=False)
    log.close()
    log.close()
    log.handle(StepCompleted(1, 1, 1, {"loss": 1.0}, 0.1, 1.0, 0.5))
    assert (tmp_path / "metrics.jsonl").read_text() == ""


def test_logger_is_a_callable_subscriber(tmp_path: Path) -> None:
    with RunLogger(tmp_path, tensorboard=False) as log:
        log(StepCompleted(1, 1, 1, {"loss": 1.0}, 0.1, 1.0, 0.5))
    assert len(read_csv_rows(tmp_path / "metrics.csv")) == 1


def test_new_run_dir_names_are_dated_slugged_and_unique(tmp_path: Path) -> None:
    now = datetime(2026, 11, 22, 2, 10)
    first = new_run_dir(tmp_path / "runs", "MLP / Spiral", now=now)
    second = new_run_dir(tmp_path / "runs", "MLP / Spiral", now=now)
    third = new_run_dir(tmp_path / "runs", "MLP / Spiral", now=now)
    assert first.name == "2026-11-22_0210_mlp-spiral"
    assert (second.name, third.name) == (f"{first.name}-2", f"{first.name}-3")
    assert all(p.is_dir() for p in (first, second, third))


def test_create_writes_into_a_fresh_folder(tmp_path: Path) -> None:
    with RunLogger.create(tmp_path, "xor", tensorboard=False) as log:
        assert log.run_dir.parent == tmp_path and log.run_dir.name.endswith("_xor")
        assert (log.run_dir / "metrics.csv").exists()


def test_run_folder_that_cannot_be_created_is_a_checkpoint_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(CheckpointError, match="file"):
        RunLogger(tmp_path / "file" / "run", tensorboard=False)
