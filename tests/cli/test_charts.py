"""plotext adapters: size, legend, robustness and the lock."""

from __future__ import annotations

import threading

import numpy as np

from nntui.commands.charts import _to_text, line_plot, thin


def test_line_plot_has_the_requested_size_and_legend() -> None:
    x = np.arange(50)
    text = line_plot({"train": (x, np.exp(-x / 10)), "val": (x, np.exp(-x / 8))}, 60, 15, "loss")
    lines = text.plain.split("\n")
    assert len(lines) == 15
    assert max(len(line) for line in lines) <= 60
    assert lines[0].strip() == "loss"
    assert "train" in text.plain and "val" in text.plain
    assert "\x1b" not in text.plain  # escapes became styles


def test_line_plot_drops_nan_and_nonpositive_values_on_a_log_axis() -> None:
    y = np.array([1.0, np.nan, 0.0, -1.0, 0.1, np.inf, 0.01])
    text = line_plot({"loss": (np.arange(7), y)}, 40, 10, logy=True)
    assert len(text.plain.split("\n")) == 10


def test_empty_series_still_draws_a_frame() -> None:
    text = line_plot({"loss": ([], [])}, 30, 8, title="empty")
    assert text.plain.split("\n")[0].strip() == "empty"


def test_thin_keeps_ends() -> None:
    x = np.arange(1000.0)
    xs, ys = thin(x, x * 2, 10)
    assert xs.size == 10 and xs[0] == 0 and xs[-1] == 999
    assert np.array_equal(ys, xs * 2)


def test_ansi_decoding_matches_rich() -> None:
    from rich.text import Text

    canvas = "\x1b[38;5;4mab\x1b[0m c\n\x1b[48;2;1;2;3m\x1b[38;5;0md\x1b[0m"
    ours, rich_text = _to_text(canvas), Text.from_ansi(canvas)
    assert ours.plain == rich_text.plain
    assert [(s.start, s.end, str(s.style)) for s in ours.spans] == [
        (s.start, s.end, str(s.style)) for s in rich_text.spans
    ]


def test_concurrent_plots_do_not_mix() -> None:
    results: dict[int, str] = {}

    def draw(i: int) -> None:
        results[i] = line_plot({f"s{i}": ([0, 1], [i, i + 1])}, 30, 8, title=f"T{i}").plain

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, plain in results.items():
        assert plain.split("\n")[0].strip() == f"T{i}"
        assert f"s{i}" in plain
        assert all(f"s{j}" not in plain for j in range(4) if j != i)
