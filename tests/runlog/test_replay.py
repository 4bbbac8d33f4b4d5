from __future__ import annotations

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
    try:
        events = rows_to_events(parsed)
    except CheckpointError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return
    kinds = {"step", "epoch", "finished", "failed", "diverged"}
    assert len(events) == sum(1 for r in parsed if isinstance(r.get("kind"), str)
                              and r["kind"] in kinds)


def _log(path: Path, rows: int, every: int = 50) -> list[StepCompleted | EpochCompleted]:
    """A metrics.jsonl of ``rows`` steps (an epoch row every ``every``), as RunLogger writes."""
    events: list[StepCompleted | EpochCompleted] = []
    with RunLogger(path, tensorboard=False) as log:
        for n in range(1, rows + 1):
            events.append(step(n))
            if n % every == 0:
                events.append(EpochCompleted(n // every, n, {"loss": 1.0 / n}, n / 10))
        for e in events:
            log.handle(e)
    return events


def test_damaged_lines_are_skipped_counted_and_the_rest_is_read(tmp_path: Path) -> None:
    events = _log(tmp_path, 60)
    path = tmp_path / "metrics.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[39] = b'{"kind": "step", "step": \n'  # cut by a bad disk in the middle
    lines[45] = lines[45].replace(b'"loss": ', b'"loss": "x", "l": ')  # one bad value
    path.write_bytes(b"".join(lines))
    reader = RunReader(tmp_path)
    got = reader.read_events()
    assert got == [e for i, e in enumerate(events) if i not in (39, 45)]
    assert reader.skipped == 2
    assert reader.first_skipped.startswith("metrics.jsonl:40: ")


def test_a_long_log_is_read_in_chunks_with_step_rows_thinned(tmp_path, monkeypatch) -> None:
    from nntui.runlog import follow

    monkeypatch.setattr(follow, "CHUNK_BYTES", 64 * 1024)
    monkeypatch.setattr(follow, "MAX_POINTS", 500)
    events = _log(tmp_path, 20_000, every=400)
    reader = RunReader(tmp_path)
    got, reads = [], 0
    while True:
        chunk = reader.read_events(follow.CHUNK_BYTES)
        got += chunk
        reads += 1
        if not reader.behind:
            break
    steps = [e for e in got if isinstance(e, StepCompleted)]
    assert reads > 20  # a chunk at a time: the first one can be drawn at once
    assert 400 <= len(steps) <= 600 + reads  # ~20,000 step rows thinned to ~500 points
    assert steps[-1] == events[-2]  # the last step row is always read
    assert [e for e in got if isinstance(e, EpochCompleted)] == [
        e for e in events if isinstance(e, EpochCompleted)]  # every epoch row
    assert reader.skipped == 0


def test_a_line_longer_than_a_chunk_is_skipped_unread(tmp_path, monkeypatch) -> None:
    from nntui.runlog import follow

    monkeypatch.setattr(follow, "CHUNK_BYTES", 1024)
    _log(tmp_path, 3)
    with open(tmp_path / "metrics.jsonl", "ab") as f:
        f.write(b'{"kind": "step", "x": "' + b"a" * 5000 + b'"}\n')
        f.write(json.dumps({"kind": "failed", "step": 3, "message": "m"}).encode() + b"\n")
    reader = RunReader(tmp_path)
    got = []
    for _ in range(5):
        got += reader.read_events(1024)
    assert got[-1] == TrainingFailed(3, "m") and reader.skipped == 1
