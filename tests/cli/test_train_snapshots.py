"""``nntui train`` takes snapshots at most once a second, with or without ``--no-snapshots``
(then they feed only TensorBoard's histograms)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nntui.architectures import build_session
from nntui.commands import train
from nntui.engine import events as ev
from nntui.engine import snapshots
from nntui.presets import load_preset


@pytest.mark.parametrize("no_snapshots", [False, True])
def test_a_fast_run_takes_its_first_and_its_last_snapshot_only(
        no_snapshots: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots.time, "monotonic", lambda: 100.0)  # the clock stands still
    session = build_session(load_preset("mlp-xor").with_train(epochs=4))
    trainer = train._trainer(session, SimpleNamespace(no_snapshots=no_snapshots))
    steps: list[int] = []
    trainer.subscribe(lambda e: steps.append(e.step) if isinstance(e, ev.SnapshotTaken)
                      else None)
    trainer.run()
    every = trainer.snapshot_every
    assert every and trainer.step > 3 * every  # unthrottled there would be 3 or more
    assert steps == [every, trainer.step]  # the first due, then the fresh one at the end
