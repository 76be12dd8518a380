"""Small numbers never identify a woman: a table that leaves the app hides its counts of 1 to 4, and enough
other cells that no hidden count can be worked out from what is shown.

A table is its cells, each row's total, each column's total and the grand total. What is published is
bound by one sum per line: each row's cells add up to its total, each column's cells to its total, the row
totals and the column totals each add up to the grand total. Picture the table with its totals as a graph:
a node per line (every row, the totals' column; every column, the totals' row), an edge per hidden item
joining its row and its column. A hidden item can be worked out from the sums exactly when its edge is a
bridge (no cycle of hidden items passes through it): along a cycle, one can add to every other item and
take from the rest without changing any sum. So after hiding the small counts (primary suppression), we
hide more items (complementary suppression), the smallest first, until no hidden item is a bridge. Every
item hidden for the cycle is at least 1 where possible, so the cycle can move both ways.
"""

from dataclasses import dataclass, field

SMALL = range(1, 5)  # counts of 1 to 4 are shown as "<5"


@dataclass
class Published:
    """A table ready to leave the app: `cells[r][c]`, `row_totals`, `column_totals`, `total`, and
    `hidden`, the positions not shown, in the table-with-totals grid: (r, c) for a cell, (r, C) for row r's
    total, (R, c) for column c's total, (R, C) for the grand total (R rows, C columns)."""

    cells: list
    row_totals: list
    column_totals: list
    total: int
    hidden: set = field(default_factory=set)

    def shown(self, r, c):
        """The item at (r, c) of the grid with totals as shown: its count, or "<5" when hidden."""
        return "<5" if (r, c) in self.hidden else self.value(r, c)

    def value(self, r, c):
        rows, columns = len(self.cells), len(self.column_totals)
        if r < rows and c < columns:
            return self.cells[r][c]
        if r < rows:
            return self.row_totals[r]
        if c < columns:
            return self.column_totals[c]
        return self.total


def suppress(cells):
    """Return the Published table for `cells` (rows of counts), with what must be hidden."""
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    table = Published(
        cells=[list(row) for row in cells],
        row_totals=[sum(row) for row in cells],
        column_totals=[sum(row[c] for row in cells) for c in range(columns)],
        total=sum(sum(row) for row in cells),
    )
    grid = [(r, c) for r in range(rows + 1) for c in range(columns + 1)]
    table.hidden = {(r, c) for r, c in grid if table.value(r, c) in SMALL}
    while bridge := first_bridge(table.hidden):
        table.hidden.add(complement(table, grid, bridge))
    return table


def complement(table, grid, bridge):
    """The item to hide so that a cycle passes through `bridge`: the smallest shown item joining the two
    sides the bridge separates, else (no such item) the smallest in one of the bridge's two lines, which the
    next round joins up further. Items of at least 1 before zeros (a hidden zero can only grow)."""
    others = table.hidden - {bridge}
    one_side = nodes_reached(others, ("row", bridge[0]))
    other_side = nodes_reached(others, ("column", bridge[1]))
    shown = [item for item in grid if item not in table.hidden]
    joining = [
        (r, c)
        for r, c in shown
        if (("row", r) in one_side and ("column", c) in other_side)
        or (("row", r) in other_side and ("column", c) in one_side)
    ]
    in_its_lines = [item for item in shown if item[0] == bridge[0] or item[1] == bridge[1]]
    candidates = joining or in_its_lines or shown
    return min(candidates, key=lambda item: (table.value(*item) == 0, table.value(*item), item))


def nodes_reached(items, start):
    """The line nodes connected to `start` through hidden items."""
    adjacent = {}
    for r, c in items:
        adjacent.setdefault(("row", r), []).append(("column", c))
        adjacent.setdefault(("column", c), []).append(("row", r))
    reached, waiting = {start}, [start]
    while waiting:
        for neighbour in adjacent.get(waiting.pop(), []):
            if neighbour not in reached:
                reached.add(neighbour)
                waiting.append(neighbour)
    return reached


def first_bridge(items):
    """A hidden item no cycle of hidden items passes through (the smallest position), or None: Tarjan's
    bridges in one depth-first walk of the graph of hidden items (a report's table of 250 rows with hundreds
    of small counts takes milliseconds, not the seconds a walk per item took)."""
    bridges = bridges_of(items)
    return min(bridges) if bridges else None


def bridges_of(items):
    """The items that are bridges of the graph: line nodes joined by the items as edges."""
    adjacent = {}
    for item in items:
        r, c = item
        adjacent.setdefault(("row", r), []).append((("column", c), item))
        adjacent.setdefault(("column", c), []).append((("row", r), item))
    order, low, bridges = {}, {}, set()
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(adjacent[root]))]
        while stack:
            node, through, edges = stack[-1]
            for neighbour, item in edges:
                if item == through:
                    continue  # not back along the edge it came by
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, item, iter(adjacent[neighbour])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.add(through)
    return bridges
