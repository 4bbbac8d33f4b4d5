"""Other runs drawn beside the one on screen: a fork's parent, the runs compared.

A companion is a :class:`~nntui.app.history.RunHistory` holding the curves of another
run folder (its metric rows; no snapshots: only the curves overlay), named in the
legend. Reading it never fails the dashboard: a parent folder that went away or
cannot be read is simply not drawn.
"""

from __future__ import annotations

from pathlib import Path

from nntui.app.history import RunHistory
from nntui.errors import NntuiError
from nntui.runlog.follow import RunReader
from nntui.runlog.fork import read_fork


def curves_of(folder: str | Path) -> RunHistory:
    """The curves of the run in ``folder`` as they are now.

    Raises:
        CheckpointError: no run folder, or its metrics cannot be read.
    """
    reader = RunReader(folder)
    history = RunHistory(run_name=Path(folder).name, state="replay")
    while True:
        for event in reader.read_events():
            history.apply(event)
        if not reader.behind:
            return history


def fork_companions(folder: str | Path) -> list[tuple[str, RunHistory]]:
    """``[("parent", its curves)]`` when ``folder`` is a fork whose parent can be read,
    else ``[]``."""
    record = read_fork(Path(folder))
    return [] if record is None or record.parent is None else parent_companions(record.parent)


def parent_companions(parent: str | Path) -> list[tuple[str, RunHistory]]:
    """``[("parent", the curves of the run in parent)]`` (``[]``: it cannot be read)."""
    try:
        return [("parent", curves_of(parent))]
    except NntuiError:
        return []
