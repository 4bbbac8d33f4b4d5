"""Run logs: event stream -> CSV, JSONL, TensorBoard; config; checkpoints; replay.

See :mod:`nntui.runlog.rundir` for the layout of a run folder.
"""

from __future__ import annotations

from nntui.runlog.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from nntui.runlog.config import read_config, write_config
from nntui.runlog.export import safe_export_path
from nntui.runlog.follow import RunReader
from nntui.runlog.logger import RunLogger
from nntui.runlog.replay import read_csv_rows, read_jsonl_rows, rows_to_events
from nntui.runlog.rundir import new_run_dir

__all__ = [
    "Checkpoint",
    "RunLogger",
    "RunReader",
    "load_checkpoint",
    "new_run_dir",
    "read_config",
    "read_csv_rows",
    "read_jsonl_rows",
    "rows_to_events",
    "safe_export_path",
    "save_checkpoint",
    "write_config",
]
