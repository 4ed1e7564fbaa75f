"""Aggregate privacy: what a dashboard may show about groups of customers.

Marketers see aggregates only, and a cell that covers fewer than a handful of customers
(the MIN_CELL_SIZE setting, 5) is not an aggregate: with a little outside knowledge it
points at a person. Every stage's dashboard suppresses its small cells through here.
"""

from collections.abc import Sequence


def suppress_small(count: int, minimum: int = 5) -> int | None:
    """`count`, or None when it covers fewer than `minimum` people and must not be shown."""
    return count if count >= minimum else None


def suppress_partition(counts: Sequence[int], minimum: int = 5) -> list[int | None]:
    """Cells that split one published total (everybody in exactly one cell), suppressed.

    Small cells go, and when that would hide a single cell, the smallest shown cell goes
    too: otherwise the hidden one is simply the total less the others.
    """
    shown = [suppress_small(count, minimum) for count in counts]
    hidden = [index for index, value in enumerate(shown) if value is None]
    visible = [index for index, value in enumerate(shown) if value is not None]
    if len(hidden) == 1 and visible:
        shown[min(visible, key=lambda index: counts[index])] = None
    return shown
