"""Shared helpers: run the CLI in-process and check its one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from nntui.cli import main
from nntui.runlog import load_checkpoint
from nntui.runlog.replay import read_csv_rows, read_jsonl_rows


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, match: str, status: int = 2) -> None:
    """Exit ``status``, exactly one line on stderr, no traceback, and the message."""
    assert code == status, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("nntui: error: "), err
    assert re.search(match, lines[0]), lines[0]


def only_run(base: Path) -> Path:
    (run,) = [p for p in base.iterdir() if p.is_dir()]
    return run


def assert_logs_parse(run: Path) -> list[dict]:
    """metrics.jsonl and metrics.csv parse completely and agree on the step rows."""
    assert run.joinpath("metrics.jsonl").read_bytes().endswith(b"\n")
    rows = read_jsonl_rows(run / "metrics.jsonl")
    csv_rows = read_csv_rows(run / "metrics.csv")
    steps = [r["step"] for r in rows if r["kind"] == "step"]
    assert steps == [r["step"] for r in csv_rows if r["kind"] == "step"]
    assert steps == list(range(steps[0], steps[0] + len(steps))) if steps else True
    return rows


def assert_finite_checkpoint(run: Path) -> object:
    ckpt = load_checkpoint(run)
    assert ckpt.arrays
    for name, a in ckpt.arrays.items():
        assert np.isfinite(a).all(), name
    return ckpt
