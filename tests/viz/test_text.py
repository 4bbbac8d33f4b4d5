"""fmt_number and matrix_table."""

from __future__ import annotations

import numpy as np
import pytest
from rich.style import Style
from rich.text import Text

from nntui.errors import ShapeError
from nntui.numeric import fmt_number
from nntui.viz.text import matrix_table
from tests.viz.cells import render_text


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (0.123456, "0.123"),
        (123.456, "123"),
        (2.0, "2"),
        (1234.5, "1.23e3"),
        (1e-5, "1e-5"),
        (1.5e-5, "1.5e-5"),
        (-0.000123456, "-0.000123"),
        (-1e20, "-1e20"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (7, "7"),
        (np.int64(42), "42"),
        (12345678, "1.23e7"),
        (np.float32(0.1), "0.1"),
    ],
)
def test_fmt_number(x: float, expected: str) -> None:
    assert fmt_number(x) == expected


def _column_cells(table, index: int) -> list[str]:
    return [str(cell) for cell in table.columns[index]._cells]


def test_matrix_table_elides_big_arrays() -> None:
    table = matrix_table(np.arange(120.0).reshape(10, 12), max_rows=6, max_cols=6)
    headers = [str(c.header) for c in table.columns]
    assert headers == ["", "0", "1", "2", "…", "9", "10", "11"]
    assert _column_cells(table, 0) == ["0", "1", "2", "⋮", "7", "8", "9"]
    assert _column_cells(table, 4) == ["…", "…", "…", "⋮", "…", "…", "…"]
    assert _column_cells(table, 7)[-1] == "119"
    assert table.caption == "shape (10, 12) float64"


def test_matrix_table_small_array_shows_everything() -> None:
    table = matrix_table(np.array([[1.5, -2.0], [0.001, 1e-6]]))
    assert len(table.columns) == 3 and table.row_count == 2
    assert _column_cells(table, 2) == ["-2", "1e-6"]


def test_matrix_table_highlight_counts_from_the_end() -> None:
    table = matrix_table(np.zeros((3, 3)), highlight=(-1, -1))
    highlighted, plain = table.columns[3]._cells[2], table.columns[3]._cells[0]
    assert isinstance(highlighted, Text) and isinstance(plain, Text)
    assert any(isinstance(s.style, Style) and s.style.reverse for s in highlighted.spans)
    assert not plain.spans


def test_matrix_table_vector_is_one_row() -> None:
    text = "\n".join(render_text(matrix_table(np.array([1.0, 2.0, 3.0]))))
    assert "shape (3,)" in text
    assert matrix_table(np.array([1.0, 2.0, 3.0])).row_count == 1


def test_matrix_table_rejects_three_dimensions() -> None:
    with pytest.raises(ShapeError, match=r"Received: shape=\(2, 2, 2\)"):
        matrix_table(np.zeros((2, 2, 2)))
