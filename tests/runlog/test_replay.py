from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.engine.events import (
    EpochCompleted,
    StepCompleted,
    TrainingFailed,
    TrainingFinished,
)
from nntui.errors import CheckpointError
from nntui.runlog import (
    RunLogger,
    RunReader,
    read_csv_rows,
    read_jsonl_rows,
    rows_to_events,
)
from nntui.runlog.rows import BASE_COLUMNS
from tests.runlog.events_fixture import CONFIG, event_stream


def step(n: int) -> StepCompleted:
    return StepCompleted(n, 1, n, {"loss": 1.0 / n}, 0.01, 100.0, n / 10)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    with RunLogger(tmp_path, tensorboard=False) as log:
        for event in event_stream():
            log.handle(event)
    return tmp_path


def test_reader_reads_config_and_all_rows(run_dir: Path) -> None:
    reader = RunReader(run_dir)
    assert reader.config == CONFIG
    rows = reader.read_all()
    assert [r["kind"] for r in rows] == ["step"] * 3 + ["epoch"] + ["step"] * 3 + [
        "epoch",
        "finished",
    ]
    events = rows_to_events(rows)
    expected = [e for e in event_stream() if isinstance(e, StepCompleted | EpochCompleted)]
    assert events[:-1] == expected
    assert events[-1] == TrainingFinished(step=6, epoch=2, metrics={"loss": 0.25})


def test_log_cut_mid_line_still_parses(run_dir: Path) -> None:
    for name in ("metrics.jsonl", "metrics.csv"):
        path = run_dir / name
        data = path.read_bytes()
        path.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 12])  # into the last line
    assert len(read_jsonl_rows(run_dir / "metrics.jsonl")) == 8
    assert len(RunReader(run_dir).poll()) == 8
    csv_rows = read_csv_rows(run_dir / "metrics.csv")
    assert len(csv_rows) == 7 and csv_rows[-1]["step"] == 6  # CSV has no 'finished' row


def test_a_number_cut_short_is_not_mistaken_for_a_value(tmp_path: Path) -> None:
    with RunLogger(tmp_path, tensorboard=False) as log:
        log.handle(step(1))
        log.handle(StepCompleted(2, 1, 2, {"loss": 0.123456}, 0.01, 100.0, 0.2))
    path = tmp_path / "metrics.csv"
    path.write_bytes(path.read_bytes()[: -len("456\n")])  # "...,0.123" looks complete
    assert [r["step"] for r in read_csv_rows(path)] == [1]


def test_poll_follows_appended_rows(tmp_path: Path) -> None:
    log = RunLogger(tmp_path, tensorboard=False)
    reader = RunReader(tmp_path)
    assert reader.poll() == [] and reader.config == {}
    log.handle(step(1))
    log.handle(step(2))
    assert [r["step"] for r in reader.poll()] == [1, 2]
    assert reader.poll() == []
    with open(tmp_path / "metrics.jsonl", "a") as f:
        f.write('{"kind": "step", "st')  # a writer caught mid-line
        f.flush()
        assert reader.poll() == []
        f.write(
            'ep": 3, "epoch": 1, "batch": 3, "elapsed": 0.3, "learning_rate": 0.01, '
            '"samples_per_second": 100.0, "loss": 0.5}\n'
        )
    assert rows_to_events(reader.poll()) == [
        StepCompleted(3, 1, 3, {"loss": 0.5}, 0.01, 100.0, 0.3)
    ]
    log.handle(TrainingFailed(step=3, message="boom"))
    assert rows_to_events(reader.poll()) == [TrainingFailed(step=3, message="boom")]
    assert len(reader.read_all()) == 4
    log.close()


def test_missing_folder_or_metrics_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="run log not found: .*nope"):
        RunReader(tmp_path / "nope")
    with pytest.raises(CheckpointError, match="no metrics in .*metrics.jsonl is missing"):
        RunReader(tmp_path)


def test_corrupt_config_and_corrupt_row_name_the_file(run_dir: Path) -> None:
    (run_dir / "config.toml").write_text("a = [")
    with pytest.raises(CheckpointError, match="config.toml"):
        _ = RunReader(run_dir).config
    with open(run_dir / "metrics.jsonl", "a") as f:
        f.write("[1, 2]\n")
    with pytest.raises(CheckpointError, match=r"metrics.jsonl:10 is not a JSON object"):
        RunReader(run_dir).read_all()


def test_rows_with_bad_fields_raise_and_unknown_kinds_are_skipped() -> None:
    assert rows_to_events([{"kind": "checkpoint", "step": 1}]) == []
    with pytest.raises(CheckpointError, match="integer 'batch'"):
        rows_to_events([{"kind": "step", "step": 1, "epoch": 1, "elapsed": 0.1}])
    with pytest.raises(CheckpointError, match="'loss' is not a number"):
        rows_to_events([{"kind": "epoch", "step": 1, "epoch": 1, "elapsed": 0, "loss": "x"}])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=1024))
def test_random_bytes_as_metrics_parse_or_raise_checkpoint_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "metrics.jsonl").write_bytes(data)
        try:
            rows_to_events(RunReader(folder).poll())
        except CheckpointError as exc:
            assert "\n" not in str(exc).strip()


_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=4)
    | st.sampled_from(["step", "epoch", "finished", "failed", "NaN", "-Infinity", "1e999"])
    | st.lists(st.integers(), max_size=2)
)
_ROWS = st.dictionaries(
    st.sampled_from([*BASE_COLUMNS, "loss", "message", "stopped_early", "metric_step"]),
    _VALUES,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_ROWS, max_size=3))
def test_json_rows_of_any_shape_convert_or_raise_checkpoint_error(rows: list[dict]) -> None:
    parsed = [json.loads(json.dumps(row)) for row in rows]
    with contextlib.suppress(CheckpointError):
        rows_to_events(parsed)
