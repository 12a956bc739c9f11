"""Privacy by construction: every figure HR sees (reports, exports, the console, the CLI) is a
`Cell` that passed `audit`. Nothing else in the product decides what may be shown.

A cell knows *who* stands behind it: each person and how much they add (1 for a count of people,
their number of shares or replies for a count of messages). The audit publishes a set of cells
such that
1. every published cell has at least its minimum of distinct people (5, or 10 for figures derived
   from free text);
2. no two published cells of the same unit can be subtracted to describe fewer people than the
   stricter minimum: when one dominates the other (a total and a part, a month and its week, a
   department and its team, a campaign and a department that happens to be inside it), the people
   whose contribution differs are none or at least the minimum;
3. for every declared breakdown (a total and the parts shown beside it), the total minus everything
   shown of it is nobody or at least the minimum people (complementary suppression).
The lattice of cells covers every group and period at once, so any two figures from any two views
of the same data are covered by rules 2 and 3. Where a cell must go, the audit keeps the coarser
one (rank), so small groups are pooled upward before anything is withheld.
"""
from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PEOPLE, SHARES, REPLIES = "people", "shares", "replies"


@dataclass(frozen=True, order=True)
class Key:
    period: str
    group_kind: str
    group: str
    metric: str


@dataclass(frozen=True)
class Cell:
    """One candidate figure. `amounts` is None for a count of people (each adds one)."""

    key: Key
    people: frozenset[int]
    unit: str
    minimum: int
    rank: int
    amounts: Mapping[int, int] | None = None

    @property
    def value(self) -> int:
        return len(self.people) if self.amounts is None else sum(self.amounts.values())

    def amount(self, person: int) -> int:
        if self.amounts is None:
            return 1 if person in self.people else 0
        return self.amounts.get(person, 0)


@dataclass(frozen=True)
class Breakdown:
    """A total and the cells that split it: shown beside each other, they could be subtracted."""

    parent: Key
    children: tuple[Key, ...]
    minimum: int


@dataclass(frozen=True)
class Published:
    """What may be shown: the value of each published cell. Anything else is withheld."""

    values: Mapping[Key, int]

    def value(self, key: Key) -> int | None:
        return self.values.get(key)

    def ratio(self, numerator: Key, denominator: Key) -> float | None:
        """A figure derived from two published ones reveals nothing more than they do."""
        top, bottom = self.values.get(numerator), self.values.get(denominator)
        if top is None or not bottom:
            return None
        return round(top / bottom, 3)


def _mix(person: int) -> int:
    """A fixed scramble of person ids, so the index below spreads evenly over people."""
    return (person * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


def differing(larger: Cell, smaller: Cell) -> int | None:
    """How many people `larger - smaller` describes, or None when neither contains the other."""
    if not smaller.people <= larger.people:
        return None
    if larger.amounts is None and smaller.amounts is None:
        return len(larger.people) - len(smaller.people)
    differ = 0
    for person in larger.people:
        big, small = larger.amount(person), smaller.amount(person)
        if small > big:
            return None
        differ += big != small
    return differ


def conflicts(cells: list[Cell]) -> dict[Key, set[Key]]:
    """Pairs of cells whose difference would describe between 1 and minimum-1 people.

    If B is inside A and misses fewer than k of A's people, B's first person in a fixed order is
    among A's first k: so each cell is looked up under its first person and size only."""
    widest = max((c.minimum for c in cells), default=0)
    index: dict[tuple[str, int, int], list[Cell]] = {}
    for cell in cells:
        if not cell.people:
            continue
        index.setdefault((cell.unit, min(cell.people, key=_mix), len(cell.people)), []).append(cell)
    found: dict[Key, set[Key]] = {}
    for big in cells:
        size = len(big.people)
        for first in heapq.nsmallest(widest, big.people, key=_mix):
            for small_size in range(max(1, size - widest + 1), size + 1):
                for small in index.get((big.unit, first, small_size), ()):
                    if small is big:
                        continue
                    differ = differing(big, small)
                    if differ is not None and 0 < differ < max(big.minimum, small.minimum):
                        found.setdefault(big.key, set()).add(small.key)
                        found.setdefault(small.key, set()).add(big.key)
    return found


def _order(cell: Cell) -> tuple[int, int, Key]:
    return cell.rank, len(cell.people), cell.key


def audit(cells: Iterable[Cell], breakdowns: Iterable[Breakdown]) -> Published:
    """Rule 1, then rule 2 keeping the highest-ranked cells, then rule 3 until nothing changes."""
    candidates = [c for c in cells if len(c.people) >= c.minimum]
    clashes = conflicts(candidates)
    shown: dict[Key, Cell] = {}
    for cell in sorted(candidates, key=_order, reverse=True):
        if not clashes.get(cell.key, set()) & shown.keys():
            shown[cell.key] = cell
    _complete(shown, list(breakdowns))
    return Published({key: cell.value for key, cell in shown.items()})


def residual(parent: Cell, shown: Iterable[Cell]) -> int:
    """How many of the parent's people are not fully accounted for by the shown parts."""
    covered: Counter[int] = Counter()
    for child in shown:
        for person in child.people & parent.people:
            covered[person] += child.amount(person)
    return sum(1 for person in parent.people if parent.amount(person) > covered[person])


def _complete(shown: dict[Key, Cell], breakdowns: list[Breakdown]) -> None:
    """Complementary suppression: withhold the smallest shown parts until what is left hidden
    of every shown total is nobody or enough people."""
    by_child: dict[Key, list[int]] = {}
    for number, breakdown in enumerate(breakdowns):
        for child in breakdown.children:
            by_child.setdefault(child, []).append(number)
    pending = set(range(len(breakdowns)))
    while pending:
        breakdown = breakdowns[pending.pop()]
        parent = shown.get(breakdown.parent)
        if parent is None:
            continue
        parts = [shown[k] for k in breakdown.children if k in shown]
        left = residual(parent, parts)
        while parts and 0 < left < breakdown.minimum:
            smallest = min(parts, key=_order)
            parts.remove(smallest)
            del shown[smallest.key]
            pending.update(by_child.get(smallest.key, ()))
            left = residual(parent, parts)
