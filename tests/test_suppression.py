"""Small counts leave the app hidden, and no hidden count can be worked out from what is shown."""

import itertools
import random
from fractions import Fraction

import pytest

from blueprints.reports.suppression import SMALL, suppress


def grid_size(table):
    return len(table.cells), len(table.column_totals)


def line_sums(table):
    """The published sums as rows of coefficients over the grid with totals: each row's cells minus its
    total, each column's cells minus its total (the totals' row and column included)."""
    rows, columns = grid_size(table)
    equations = []
    for r in range(rows + 1):
        equations.append({**{(r, c): 1 for c in range(columns)}, (r, columns): -1})
    for c in range(columns + 1):
        equations.append({**{(r, c): 1 for r in range(rows)}, (rows, c): -1})
    return equations


def rank(matrix):
    """The rank of a matrix of Fractions (Gaussian elimination)."""
    matrix = [row[:] for row in matrix]
    found = 0
    for column in range(len(matrix[0]) if matrix else 0):
        pivot = next((i for i in range(found, len(matrix)) if matrix[i][column] != 0), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for i in range(len(matrix)):
            if i != found and matrix[i][column] != 0:
                factor = matrix[i][column] / matrix[found][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[found], strict=True)]
        found += 1
    return found


def solvable_from_the_sums(table):
    """The hidden items whose value follows from the published sums by solving the linear equations:
    an item is determined when its unit vector lies in the span of the equations over the hidden items."""
    hidden = sorted(table.hidden)
    matrix = [[Fraction(equation.get(item, 0)) for item in hidden] for equation in line_sums(table)]
    base = rank(matrix)
    return [
        item
        for i, item in enumerate(hidden)
        if rank([*matrix, [Fraction(int(j == i)) for j in range(len(hidden))]]) == base
    ]


def movable(table):
    """The hidden items that can take another whole value, counts staying whole and not negative, while
    every published sum holds. The table with its totals is a circulation: a cell is a flow from its row to
    its column, a row's total flows from the totals' column into that row, a column's total from that
    column into the totals' row, and the grand total from the totals' row to the totals' column; each
    published sum is one node's balance. A hidden item can grow when its head reaches its tail through the
    other hidden items (each may grow, or shrink if above 0) and shrink (if above 0) when its tail reaches
    its head: the cycle moves it by 1, whole numbers stay whole."""
    rows, columns = grid_size(table)

    def arc(r, c):
        if r < rows and c < columns:
            return ("row", r), ("column", c)
        if r < rows:
            return ("column", columns), ("row", r)  # her row's total
        if c < columns:
            return ("column", c), ("row", rows)  # a column's total
        return ("row", rows), ("column", columns)  # the grand total

    def reaches(start, goal, items):
        steps = {}
        for item in items:
            tail, head = arc(*item)
            steps.setdefault(tail, []).append(head)  # it may grow
            if table.value(*item) > 0:
                steps.setdefault(head, []).append(tail)  # it may shrink
        seen, waiting = {start}, [start]
        while waiting:
            node = waiting.pop()
            if node == goal:
                return True
            for following in steps.get(node, []):
                if following not in seen:
                    seen.add(following)
                    waiting.append(following)
        return False

    result = set()
    for item in table.hidden:
        tail, head = arc(*item)
        others = table.hidden - {item}
        if reaches(head, tail, others) or (table.value(*item) > 0 and reaches(tail, head, others)):
            result.add(item)
    return result


def assert_safe(cells):
    table = suppress(cells)
    rows, columns = grid_size(table)
    for r, c in itertools.product(range(rows + 1), range(columns + 1)):
        assert table.shown(r, c) not in SMALL, (cells, (r, c))
    assert solvable_from_the_sums(table) == [], (cells, sorted(table.hidden))
    return table


def test_a_table_without_small_counts_hides_nothing():
    assert suppress([[10, 20], [30, 40]]).hidden == set()
    assert suppress([[0, 20], [30, 0]]).hidden == set()


def test_one_small_cell_in_a_row_still_hides_a_second_one():
    table = assert_safe([[12, 3, 40], [25, 30, 18]])
    assert (0, 1) in table.hidden
    assert len([c for c in range(3) if (0, c) in table.hidden]) >= 2  # its row
    assert len([r for r in range(2) if (r, 1) in table.hidden]) >= 2  # its column
    # The smallest of the others is taken: 12 in her row, 30 below her, and 25 to close the square.
    assert table.hidden == {(0, 1), (0, 0), (1, 1), (1, 0)}
    assert movable(table) == table.hidden


def test_small_totals_are_hidden_too():
    table = assert_safe([[2, 1, 0], [10, 20, 30]])
    assert (0, 3) in table.hidden  # her row's total, 3
    assert table.shown(0, 2) == 0  # a zero says nothing about anyone and stays


def test_a_hidden_count_cannot_be_found_by_trying_every_whole_number():
    for cells in ([[3, 7], [6, 9]], [[1, 0], [5, 6]], [[4, 8, 0], [0, 6, 2]], [[2, 5], [7, 1]]):
        table = assert_safe(cells)
        assert movable(table) == table.hidden, cells


@pytest.mark.parametrize("seed", range(40))
def test_tables_like_a_programmes_reports_are_safe(seed):
    """Tables of the report's shapes (subgroups × half-years, estates × measures…) with counts drawn as in
    a small programme: many zeros and small numbers, some large."""
    generator = random.Random(seed)
    rows, columns = generator.randint(1, 8), generator.randint(1, 7)
    cells = [
        [
            generator.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 35, generator.randint(0, 60)])
            for _ in range(columns)
        ]
        for _ in range(rows)
    ]
    table = assert_safe(cells)
    assert movable(table) == table.hidden, cells


def test_the_published_values_are_the_real_ones():
    cells = [[12, 3, 40], [25, 30, 18]]
    table = suppress(cells)
    assert table.row_totals == [55, 73] and table.column_totals == [37, 33, 58] and table.total == 128
    assert table.shown(1, 2) == 18 and table.shown(2, 3) == 128


def test_the_checks_find_a_count_hidden_alone():
    """Hiding only the small counts is not enough, and both checks say so: they can fail."""
    from blueprints.reports.suppression import Published

    cells = [[12, 3, 40], [25, 30, 18]]
    alone = Published(
        cells=cells, row_totals=[55, 73], column_totals=[37, 33, 58], total=128, hidden={(0, 1)}
    )
    assert solvable_from_the_sums(alone) == [(0, 1)]
    assert movable(alone) == set()
    # Two in a row but none under them: the column still gives both away.
    pair = Published(
        cells=cells, row_totals=[55, 73], column_totals=[37, 33, 58], total=128, hidden={(0, 1), (0, 0)}
    )
    assert solvable_from_the_sums(pair) == [(0, 0), (0, 1)]
    assert movable(pair) == set()
