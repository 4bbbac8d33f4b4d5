"""Replay of a million-line (~200 MB) log: the first frame within 2 s of starting, the
peak memory under 200 MB (see replay_bench.py; run with ``-m bench -n 0``)."""

from __future__ import annotations

import pytest

from tests.bench.replay_bench import measure, write_log

pytestmark = pytest.mark.bench


def test_a_million_line_log_replays_fast_in_bounded_memory(tmp_path) -> None:
    write_log(tmp_path, 1_000_000)
    result = measure(tmp_path, 1_000_000)
    print(result)
    assert result["first_frame_s"] < 2.0
    assert result["peak_mb"] < 200
    assert 1000 <= result["points"] <= 4096  # the curve is drawn from a bounded sample
