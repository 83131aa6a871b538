"""Disclosure control: properties over random tables, and a few tables worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.disclosure import HIDDEN_MARK, Grid, Hidden, Line, Pos, Protected, _lines, protect

K_VALUES = st.integers(min_value=3, max_value=10)


@st.composite
def grids(draw: st.DrawFn) -> Grid:
    rows = draw(st.integers(min_value=1, max_value=6))
    cols = draw(st.integers(min_value=1, max_value=5))
    # Small counts dominate, as they do in a small drop-in's month.
    count = st.one_of(st.integers(0, 12), st.integers(0, 200))
    values = [[draw(count) for _ in range(cols)] for _ in range(rows)]
    row_totals = cols > 1 and draw(st.booleans())
    column_totals = rows > 1 and draw(st.booleans())
    return Grid(values=values, row_totals=row_totals, column_totals=column_totals)


def _true_values(grid: Grid) -> list[list[int]]:
    rows, cols = grid.shape
    values = [list(row) for row in grid.values]
    if grid.row_totals:
        for row in values:
            row.append(sum(row[:cols]))
    if grid.column_totals:
        values.append([sum(values[i][j] for i in range(rows)) for j in range(len(values[0]))])
    return values


@settings(max_examples=300, deadline=None)
@given(grid=grids(), k=K_VALUES)
def test_no_published_count_is_between_1_and_k_minus_1(grid: Grid, k: int) -> None:
    result = protect(grid, k)
    for row in result.values:
        for value in row:
            assert value is None or value == 0 or value >= k


@settings(max_examples=300, deadline=None)
@given(grid=grids(), k=K_VALUES)
def test_published_numbers_and_totals_are_the_true_ones(grid: Grid, k: int) -> None:
    result = protect(grid, k)
    truth = _true_values(grid)
    assert len(result.values) == len(truth)
    for published_row, true_row in zip(result.values, truth, strict=True):
        for published, true in zip(published_row, true_row, strict=True):
            assert published is None or published == true


@settings(max_examples=300, deadline=None)
@given(grid=grids(), k=K_VALUES)
def test_no_row_or_column_has_a_single_hidden_number(grid: Grid, k: int) -> None:
    result = protect(grid, k)
    for line in _lines(grid):
        hidden = [pos for pos in line.positions if pos in result.hidden]
        assert len(hidden) != 1, f"{line} has one hidden number: recoverable from its total"


@settings(max_examples=300, deadline=None)
@given(grid=grids(), k=K_VALUES)
def test_no_hidden_number_follows_from_a_line_and_the_marks(grid: Grid, k: int) -> None:
    """A reader knows "< k" is 1..k-1 and a cross at least k; no line pins a hidden cell."""
    result = protect(grid, k)
    for line in _lines(grid):
        for pos in line.positions:
            if pos not in result.hidden:
                continue
            low, high = _range_from_line(result, _lines(grid), line, pos, k)
            assert high - low >= 1, f"{pos} is exactly {low} from {line}"


def _mark_range(result: Protected, lines: list[Line], pos: Pos, k: int) -> tuple[float, float]:
    if pos not in result.hidden:
        value = result.values[pos[0]][pos[1]]
        assert value is not None
        return value, value
    if result.hidden[pos] is not Hidden.SMALL:
        return k, float("inf")
    # Zeros are hidden too in a row or column whose total is below k.
    in_small_line = any(
        pos in line.cells and result.hidden.get(line.total) is Hidden.SMALL for line in lines
    )
    return (0 if in_small_line else 1), k - 1


def _range_from_line(
    result: Protected, lines: list[Line], line: Line, pos: Pos, k: int
) -> tuple[float, float]:
    """The values `pos` can take given the other numbers of `line` and the marks."""
    own = _mark_range(result, lines, pos, k)
    others = [p for p in line.cells if p != pos]
    low_others = sum(_mark_range(result, lines, p, k)[0] for p in others)
    high_others = sum(_mark_range(result, lines, p, k)[1] for p in others)
    total_low, total_high = _mark_range(result, lines, line.total, k)
    if pos == line.total:
        return max(own[0], low_others), min(own[1], high_others)
    return max(own[0], total_low - high_others), min(own[1], total_high - low_others)


def test_a_cell_with_few_people_behind_it_is_hidden_even_with_many_visits() -> None:
    grid = Grid(values=[[12], [40]], people=[[2], [30]])
    result = protect(grid, 5)
    assert result.values == [[None], [40]]
    assert result.marker((0, 0)) == HIDDEN_MARK


def test_a_small_cell_and_its_partner_are_hidden_and_the_total_stays_true() -> None:
    # Sites A, B, C: 3, 20, 45 visits; the total 68 must stay, so 3 cannot stand alone.
    result = protect(Grid(values=[[3], [20], [45]], column_totals=True), 5)
    assert result.values == [[None], [None], [45], [68]]
    assert result.marker((0, 0)) == "< 5"
    assert result.marker((1, 0)) == HIDDEN_MARK


def test_the_partner_is_large_enough_that_the_bounds_do_not_give_the_small_cell_away() -> None:
    # Hiding 5 next to 1 would not do: the 6 left over, less at least 5, leaves exactly 1.
    result = protect(Grid(values=[[1], [5], [9], [30]], column_totals=True), 5)
    assert result.values == [[None], [5], [None], [30], [45]]


def test_a_cross_table_hides_a_rectangle() -> None:
    grid = Grid(
        values=[[2, 30, 40], [25, 35, 50], [20, 28, 60]], row_totals=True, column_totals=True
    )
    result = protect(grid, 5)
    hidden_rows = {i for i, _j in result.hidden}
    hidden_cols = {j for _i, j in result.hidden}
    assert (0, 0) in result.hidden
    assert len(result.hidden) >= 4
    assert len(hidden_rows) >= 2 and len(hidden_cols) >= 2
    assert result.values[3][3] == 2 + 30 + 40 + 25 + 35 + 50 + 20 + 28 + 60


def test_a_line_with_a_small_total_is_not_broken_down() -> None:
    # One or two people in all: their zeros would say where they belong.
    result = protect(Grid(values=[[1], [0], [1]], column_totals=True), 3)
    assert result.values == [[None], [None], [None], [None]]
    assert {result.marker(pos) for pos in result.hidden} == {"< 3"}


def test_zeros_are_published() -> None:
    result = protect(Grid(values=[[0], [0], [17]], column_totals=True), 5)
    assert result.values == [[0], [0], [17], [17]]
    assert not result.hidden


def test_k_below_3_is_refused() -> None:
    with pytest.raises(ValueError):
        protect(Grid(values=[[1]]), 2)


def test_k_comes_from_the_setting(settings) -> None:
    settings.REPORTING_MIN_CELL = 10
    result = protect(Grid(values=[[7]]))
    assert result.marker((0, 0)) == "< 10"
