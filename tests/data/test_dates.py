"""The dates task: every format writes the same day, held-out days never train, layout."""

from __future__ import annotations

import datetime as dt

import numpy as np

from nntui.data.dates import FORMATS, SOURCE_LENGTH, human, load_dates


def test_every_format_names_the_day_it_was_given() -> None:
    day = dt.date(1998, 3, 12)  # a Thursday
    written = {human(day, f) for f in FORMATS}
    assert {"12 March 1998", "March 12, 1998", "Thursday, March 12, 1998", "12/03/1998",
            "12.03.1998", "mar 12 1998", "1998 March 12"} <= written
    longest = human(dt.date(1998, 9, 30), "{Day}, {Month} {d}, {Y}")
    assert longest == "Wednesday, September 30, 1998" and len(longest) < SOURCE_LENGTH


def test_layout_is_source_then_shifted_target_and_held_out_days_are_new() -> None:
    ds = load_dates(seed=3, n_samples=400, test_fraction=0.25)
    vocab, m = ds.meta["vocab"], ds.meta
    assert ds.x_train.shape == (300, 40) and ds.y_test.shape == (100, 10)
    row, target = ds.x_test[0], ds.y_test[0]
    text = "".join(vocab[i] for i in row)
    assert text[:30].rstrip("_") == m["sources"][0]
    assert text[30] == "^" and text[31:] == m["targets"][0][:-1]
    assert "".join(vocab[i] for i in target) == m["targets"][0]
    def days(y: np.ndarray) -> set[str]:
        return {"".join(vocab[i] for i in r) for r in y}
    assert not days(ds.y_train) & days(ds.y_test)
    assert len(days(ds.y_train)) == 300  # distinct days
