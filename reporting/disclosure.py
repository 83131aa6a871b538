"""Disclosure control for count tables: small-cell suppression with secondary suppression.

A table is a grid of counts, optionally with row totals, column totals and a grand total
(its *margins*). Every published number is either the true count or hidden:

1. **Primary suppression.** A cell (margins included) is hidden when it counts between 1 and
   k-1 people, or when fewer than k people stand behind it (a cell of visits made by three
   people is hidden even if they made ten visits). It is shown as "< k" when the number
   itself is below k, otherwise as a cross (`HIDDEN_MARK`).
2. **Secondary suppression.** A *line* is a row or a column together with its total. Where a
   line holds hidden numbers, a reader who knows the published ones can narrow the hidden ones
   down: with one hidden cell in a line, the total minus the others gives it exactly. So we
   bound every hidden number the way a careful reader would — "< k" is 1 to k-1, a cross is
   at least k — tighten those bounds through every line until nothing changes, and while any
   hidden number is pinned to a single value, hide one more number in a line that pins it.
   In particular no line ever ends with exactly one hidden number.

Zeros are published — nobody stands behind them — except in a row or column whose total is
below k, which is hidden whole so that the few people in it cannot be placed. Totals are never
adjusted; a total is either true or hidden. docs/reporting.md explains the method and its
limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

# Below this k, "< k" is too weak to mean anything; settings refuse it too.
MIN_K = 3
# Interval tightening always ends (bounds only move inwards, in whole numbers) but can take
# long on adversarial tables; this many rounds is far more than the report's tables need.
MAX_ROUNDS = 200


def threshold() -> int:
    k: int = settings.REPORTING_MIN_CELL
    if k < MIN_K:
        raise ValueError(f"REPORTING_MIN_CELL must be at least {MIN_K}.")
    return k


class Hidden(StrEnum):
    SMALL = "small"  # a count between 1 and k-1, shown as "< k"
    OTHER = "other"  # hidden for the people behind it or to protect another cell, shown as a cross


# A multiplication sign, spelled as an escape so that linters do not take it for an "x".
HIDDEN_MARK = "\u00d7"

Pos = tuple[int, int]


@dataclass(frozen=True)
class Grid:
    """Counts to publish, with the people behind each count.

    `values[i][j]` is the number shown; `people[i][j]` how many distinct people it stands for
    (the same as `values` for counts of people). When `row_totals` is set, each row sums to a
    total in an extra last column; `column_totals` likewise adds a last row. Their people are
    given in `row_total_people`, `column_total_people` and `grand_total_people`, because
    distinct people do not add up across cells (one person visits two sites).
    """

    values: Sequence[Sequence[int]]
    people: Sequence[Sequence[int]] | None = None
    row_totals: bool = False
    column_totals: bool = False
    row_total_people: Sequence[int] | None = None
    column_total_people: Sequence[int] | None = None
    grand_total_people: int | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0]) if self.values else 0


@dataclass(frozen=True)
class Protected:
    """The published grid: `values` including margins, `None` where hidden."""

    values: list[list[int | None]]
    hidden: dict[Pos, Hidden]
    k: int

    def marker(self, pos: Pos) -> str:
        kind = self.hidden.get(pos)
        if kind is None:
            return ""
        return f"< {self.k}" if kind is Hidden.SMALL else HIDDEN_MARK


def _extended(grid: Grid) -> tuple[list[list[int]], list[list[int]]]:
    """Values and people of the grid with its margins added as an extra row and column."""
    rows, cols = grid.shape
    values = [list(row) for row in grid.values]
    people = [list(row) for row in (grid.people if grid.people is not None else grid.values)]
    if grid.row_totals:
        row_people = grid.row_total_people
        for i in range(rows):
            values[i].append(sum(values[i][:cols]))
            people[i].append(row_people[i] if row_people is not None else sum(people[i][:cols]))
    if grid.column_totals:
        width = len(values[0]) if values else 0
        total_row = [sum(values[i][j] for i in range(rows)) for j in range(width)]
        column_people = list(grid.column_total_people or [])
        if grid.column_total_people is None:
            column_people = [sum(people[i][j] for i in range(rows)) for j in range(cols)]
        if grid.row_totals:
            grand = grid.grand_total_people
            column_people.append(grand if grand is not None else sum(column_people[:cols]))
        values.append(total_row)
        people.append(column_people)
    return values, people


@dataclass(frozen=True)
class Line:
    """Cells that add up to a total: sum(values at `cells`) == value at `total`."""

    cells: tuple[Pos, ...]
    total: Pos

    @property
    def positions(self) -> tuple[Pos, ...]:
        return (*self.cells, self.total)


def _lines(grid: Grid) -> list[Line]:
    rows, cols = grid.shape
    lines: list[Line] = []
    if grid.row_totals:
        for i in range(rows + (1 if grid.column_totals else 0)):
            lines.append(Line(tuple((i, j) for j in range(cols)), (i, cols)))
    if grid.column_totals:
        for j in range(cols + (1 if grid.row_totals else 0)):
            lines.append(Line(tuple((i, j) for i in range(rows)), (rows, j)))
    return lines


def _bounds(
    values: list[list[int]], hidden: dict[Pos, Hidden], lines: list[Line], k: int
) -> dict[Pos, tuple[float, float]]:
    """What a reader can know about each hidden number from the published ones.

    Start from what the marks say ("< k": 1..k-1, or 0..k-1 in a line whose total is below
    k, where zeros are hidden too; a cross: k and more), then tighten through every line — a
    hidden number is the line's total minus the others — until stable.
    """
    maybe_zero = _in_small_lines(hidden, lines)
    bounds: dict[Pos, tuple[float, float]] = {
        pos: (0.0 if pos in maybe_zero else 1.0, float(k - 1))
        if kind is Hidden.SMALL
        else (float(k), math.inf)
        for pos, kind in hidden.items()
    }

    def value_range(pos: Pos) -> tuple[float, float]:
        if pos in bounds:
            return bounds[pos]
        value = values[pos[0]][pos[1]]
        return float(value), float(value)

    relevant = [line for line in lines if any(p in hidden for p in line.positions)]
    for _round in range(MAX_ROUNDS):
        changed = False
        for line in relevant:
            # Write the line as: sum(cells) - total == 0, each term with its sign.
            terms = [(pos, 1) for pos in line.cells] + [(line.total, -1)]
            signed = [_signed(value_range(p), s) for p, s in terms]
            for index, (pos, sign) in enumerate(terms):
                if pos not in bounds:
                    continue
                # This term is minus the sum of the others.
                rest_low = sum(lo for n, (lo, _hi) in enumerate(signed) if n != index)
                rest_high = sum(hi for n, (_lo, hi) in enumerate(signed) if n != index)
                new_lo, new_hi = _signed((-rest_high, -rest_low), sign)
                lo, hi = bounds[pos]
                tightened = (max(lo, new_lo), min(hi, new_hi))
                if tightened != (lo, hi):
                    bounds[pos] = tightened
                    signed[index] = _signed(tightened, sign)
                    changed = True
        if not changed:
            break
    return bounds


def _in_small_lines(hidden: dict[Pos, Hidden], lines: list[Line]) -> set[Pos]:
    """Cells of the lines whose total is hidden as below k."""
    return {pos for line in lines if hidden.get(line.total) is Hidden.SMALL for pos in line.cells}


def _signed(bounds: tuple[float, float], sign: int) -> tuple[float, float]:
    """The range of sign * x for x within `bounds`."""
    return bounds if sign > 0 else (-bounds[1], -bounds[0])


def _pinned(bounds: dict[Pos, tuple[float, float]]) -> set[Pos]:
    return {pos for pos, (lo, hi) in bounds.items() if hi - lo < 1}


def protect(grid: Grid, k: int | None = None) -> Protected:
    k = threshold() if k is None else k
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}.")
    values, people = _extended(grid)
    lines = _lines(grid)
    rows, cols = grid.shape
    # How many of the table's margins a number belongs to: 1 for a row or column total,
    # 2 for the grand total.
    totalness = {
        (i, j): (grid.column_totals and i == rows) + (grid.row_totals and j == cols)
        for i, row in enumerate(values)
        for j in range(len(row))
    }
    hidden: dict[Pos, Hidden] = {}
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if 0 < value < k:
                hidden[(i, j)] = Hidden.SMALL
            elif value and 0 < people[i][j] < k:
                hidden[(i, j)] = Hidden.OTHER
    # A line whose total is below k is not broken down at all, zeros included: "< 3 people,
    # all from West Africa" would say where each of them comes from. (Every cell of such a
    # line is below k as well, so "< k" stays true.) A hidden total can be a cell of the
    # line of totals, so repeat until nothing changes.
    # A zero in a line whose total is a published 0 is known anyway and stays.
    known_zeros = {
        p for line in lines if values[line.total[0]][line.total[1]] == 0 for p in line.cells
    }
    while small_lines := _in_small_lines(hidden, lines) - known_zeros - hidden.keys():
        hidden.update(dict.fromkeys(small_lines, Hidden.SMALL))
    while True:
        pinned = _pinned(_bounds(values, hidden, lines, k))
        if not pinned:
            break
        choice = _secondary_choice(values, hidden, lines, pinned, k, totalness)
        if choice is None:
            # Every non-zero number in the lines at fault is hidden already; the pin comes
            # from the table's own structure and hiding zeros would not lift it.
            break
        hidden[choice] = Hidden.OTHER
    published: list[list[int | None]] = [
        [None if (i, j) in hidden else value for j, value in enumerate(row)]
        for i, row in enumerate(values)
    ]
    return Protected(published, hidden, k)


def _secondary_choice(
    values: list[list[int]],
    hidden: dict[Pos, Hidden],
    lines: list[Line],
    pinned: set[Pos],
    k: int,
    totalness: dict[Pos, int],
) -> Pos | None:
    """The published number to hide next, from a line that pins a hidden one.

    Inner cells come before row and column totals, and those before the grand total: totals
    are what readers use most, and the same totals appear in other tables (the grand total of
    people by gender and age is the number of people in the key figures), so a hidden total
    may be found elsewhere. Within that order, the smallest number that frees the pinned
    numbers of its line wins; if none does on its own, the first in that order goes and the
    next round adds more. Zeros are never chosen: a hidden zero frees nothing, since the
    small cell could then be the whole remainder.
    """
    candidates: list[tuple[Pos, set[Pos]]] = []
    for line in lines:
        at_fault = pinned & set(line.positions)
        if at_fault:
            candidates.extend(
                (pos, at_fault)
                for pos in line.positions
                if pos not in hidden and values[pos[0]][pos[1]]
            )
    if not candidates:
        return None
    candidates.sort(key=lambda c: (totalness[c[0]], values[c[0][0]][c[0][1]], c[0]))
    tier = totalness[candidates[0][0]]
    for pos, at_fault in candidates:
        if totalness[pos] != tier:
            break
        trial = {**hidden, pos: Hidden.OTHER}
        if not _pinned(_bounds(values, trial, lines, k)) & at_fault:
            return pos
    return candidates[0][0]
