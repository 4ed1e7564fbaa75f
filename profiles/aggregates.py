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

    Small cells go; and while the hidden cells together cover fewer than `minimum`
    people, the smallest shown cell goes too: otherwise the total less the shown cells
    tells how many are hidden, which is itself a small cell.
    """
    shown = [suppress_small(count, minimum) for count in counts]

    def hidden_sum() -> int:
        return sum(counts[i] for i, value in enumerate(shown) if value is None)

    while 0 < hidden_sum() < minimum:
        visible = [i for i, value in enumerate(shown) if value is not None]
        if not visible:
            break
        shown[min(visible, key=lambda i: counts[i])] = None
    return shown


def suppress_total(parts: Sequence[int], minimum: int = 5) -> int | None:
    """The sum of parts each published on its own (small ones suppressed), or None.

    A total over parts that are shown elsewhere gives away the hidden ones: it less the
    shown parts is their sum. So it is shown only when it is no small cell itself and the
    hidden parts it contains cover none or at least `minimum` people together.
    """
    total = sum(parts)
    behind = sum(part for part in parts if suppress_small(part, minimum) is None)
    if suppress_small(total, minimum) is None or 0 < behind < minimum:
        return None
    return total


def suppress_table(
    counts: dict, lines: Sequence[tuple[object | None, Sequence]], minimum: int = 5
) -> dict:
    """Cells of a table whose sums are also published, suppressed so none gives another away.

    `counts` maps each cell's key to its count. Each line is (total, members): the members'
    counts add up to the total, which is either a cell of `counts` itself (a margin, e.g.
    all channels in a month) or None when it is published elsewhere. Small cells go first;
    then, until nothing changes, a line whose hidden members cover fewer than `minimum`
    people, or just one of them (it would be the total less the others, however big),
    hides its smallest shown member; and a line whose total is hidden while all its
    members show hides one of them too (else the total is their sum).
    """
    shown = {key: suppress_small(count, minimum) for key, count in counts.items()}
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            visible = [key for key in members if shown[key] is not None]
            if not visible:
                continue
            hidden = [counts[key] for key in members if shown[key] is None]
            hidden_sum = sum(hidden)
            if total is not None and shown[total] is None:
                gives_away = hidden_sum == 0 and counts[total] > 0
            else:
                gives_away = 0 < hidden_sum < minimum or (len(hidden) == 1 and hidden_sum > 0)
            if gives_away:
                shown[min(visible, key=lambda key: counts[key])] = None
                changed = True
    return shown
