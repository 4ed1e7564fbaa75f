"""Small cells, and what would give them away by subtraction."""

import pytest

from profiles.aggregates import suppress_partition, suppress_total


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
