"""The changes line: newest first, points drawn one by one at one step as one entry."""

from __future__ import annotations

from nntui.app.widgets.change_log import ChangeLog
from nntui.engine.events import ModelChanged


def test_the_latest_changes_newest_first_with_repeats_folded() -> None:
    log = ChangeLog()
    log.add(ModelChanged(3, 1, "freeze", "dense", text="froze dense"))
    for n in range(4):
        log.add(ModelChanged(10, 2, "data", text=f"drew a point: now {101 + n} points"))
    log.add(ModelChanged(12, 2, "ablate", "dense", 1, text="switched off unit 2 of dense"))
    assert [(e.step, e.action, k) for e, k in log.latest()] == [
        (12, "ablate", 1), (10, "data", 4), (3, "freeze", 1)]
    text = log.text().plain
    assert text.startswith("changes: step 12 switched off unit 2 of dense · step 10 drew a "
                           "point: now 104 points (and 3 more) · step 3 froze dense")
    log.add(ModelChanged(13, 2, "l2", value=0.01, text="L2 factor 0.01"))
    assert log.text().plain.endswith("(all in metrics.jsonl)")
