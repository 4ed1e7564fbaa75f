"""Small cells, and what would give them away by subtraction."""

import pytest

from profiles.aggregates import suppress_partition, suppress_table, suppress_total


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([10, 7, 3], [10, None, None]),  # 3 = 20 - 10 - 7
        ([10, 7, 2, 1], [10, None, None, None]),  # hiding 2 and 1 still gives away 3
        ([10, 7, 3, 2], [10, 7, None, None]),  # 5 hidden together: an aggregate
        ([10, 7, 6], [10, 7, 6]),
        ([12, 0], [12, None]),  # nobody in a cell: the total gives away nobody
        ([3], [None]),
        ([], []),
    ],
)
def test_a_partition_hides_small_cells_and_enough_others(counts, shown):
    assert suppress_partition(counts) == shown


@pytest.mark.parametrize(
    ("parts", "total"),
    [
        ([6, 3], None),  # 9 - 6 = the hidden 3
        ([6, 3, 4], 13),  # 13 - 6 = 7 people across two hidden parts
        ([6, 7], 13),
        ([2, 2], None),  # too small itself
        ([6, 0], 6),
        ([3, 2], 5),  # five people, whoever is in which part
        ([], None),
    ],
)
def test_a_total_over_published_parts_hides_what_subtraction_would_give(parts, total):
    assert suppress_total(parts) == total


def test_a_table_with_margins_hides_what_rows_or_columns_would_give_away():
    # Two pieces over two months; each piece's total and each month's total are published.
    counts = {
        ("a", 1): 9, ("a", 2): 3,
        ("b", 1): 6, ("b", 2): 8,
        ("all", 1): 15, ("all", 2): 11,
    }  # fmt: skip
    lines = [
        (None, [("a", 1), ("a", 2)]),  # piece a's total is on its own row
        (None, [("b", 1), ("b", 2)]),
        (("all", 1), [("a", 1), ("b", 1)]),
        (("all", 2), [("a", 2), ("b", 2)]),
        (None, [("all", 1), ("all", 2)]),  # everything redeemed
    ]
    shown = suppress_table(counts, lines)
    # a2 (3) is small; a1 goes with it (row), then b2 (column of month 2), then b1 (row).
    assert [shown[("a", 1)], shown[("a", 2)], shown[("b", 1)], shown[("b", 2)]] == [None] * 4
    assert (shown[("all", 1)], shown[("all", 2)]) == (15, 11)


def test_a_hidden_margin_takes_one_of_its_cells_with_it():
    counts = {"x": 5, "y": 6, "sum": 11, "other": 2}
    lines = [("sum", ["x", "y"]), (None, ["sum", "other"])]
    shown = suppress_table(counts, lines)
    # other (2) is small, so "sum" goes; then x + y would give it, so x goes; and y with it
    # (a hidden total with one hidden member of 5 is an aggregate of five: y may stay).
    assert shown["other"] is None and shown["sum"] is None
    assert shown["x"] is None
    assert shown["y"] == 6
