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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

PEOPLE, SHARES, REPLIES = "people", "shares", "replies"


class Key(NamedTuple):
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

    values: Mapping[tuple[str, str, str, str], int]  # by Key (a plain tuple of the same four finds it too)

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
    differ = len(larger.people) - len(smaller.people)
    big, small = larger.amounts, smaller.amounts
    if big is None or small is None:
        return differ if big is None and small is None else None
    for person, amount in small.items():
        more = big[person]
        if amount > more:
            return None
        if amount != more:
            differ += 1
    return differ


Signature = tuple[str, frozenset[int], int | None, int, Key | None]


def signatures(cells: list[Cell]) -> list[Signature]:
    """Cells with the same unit, people, amounts and minimum are one kind. Amounts are compared by
    hash to keep memory down; a cell whose hash collides with different amounts is a kind of its own."""
    first: dict[Signature, Cell] = {}
    found: list[Signature] = []
    for cell in cells:
        amounts = None if cell.amounts is None else hash(frozenset(cell.amounts.items()))
        signature: Signature = (cell.unit, cell.people, amounts, cell.minimum, None)
        seen = first.setdefault(signature, cell)
        if seen is not cell and seen.amounts != cell.amounts:
            signature = (*signature[:4], cell.key)
        found.append(signature)
    return found


def conflicts(cells: list[Cell], kinds_of: list[Signature]) -> dict[Signature, set[Signature]]:
    """Which kinds of cell may not be shown together: their difference would describe between 1
    and minimum-1 people. Cells with the same contributions and minimum are one kind (they never
    clash with each other). If B is inside A and misses fewer than k of A's people, B's first
    person in a fixed order is among A's first k: so each is looked up under that person and size."""
    kinds = dict(zip(kinds_of, cells))
    widest = max((c.minimum for c in cells), default=0)
    everyone = sorted(frozenset().union(*(c.people for c in kinds.values())), key=_mix)
    rank = {person: n for n, person in enumerate(everyone)}.__getitem__

    def first_ranks(people: frozenset[int]) -> list[int]:
        if len(people) * 20 < len(everyone):
            return sorted(map(rank, people))[:widest]
        return list(islice((n for n, person in enumerate(everyone) if person in people), widest))  # stops early

    firsts = {signature: first_ranks(cell.people) for signature, cell in kinds.items()}
    index: dict[tuple[str, int], dict[int, list[tuple[Signature, Cell]]]] = {}
    for signature, cell in kinds.items():
        index.setdefault((cell.unit, firsts[signature][0]), {}).setdefault(len(cell.people), []).append(
            (signature, cell))
    found: dict[Signature, set[Signature]] = {}
    for signature, big in kinds.items():
        size, people, counted = len(big.people), big.people, big.amounts is not None
        for first in firsts[signature]:
            for small_size, smalls in index.get((big.unit, first), {}).items():
                if not size - widest < small_size <= size:
                    continue
                for other, small in smalls:
                    if small is big or not small.people <= people:
                        continue
                    differ = differing(big, small) if counted else size - small_size
                    if differ and differ < max(big.minimum, small.minimum):
                        found.setdefault(signature, set()).add(other)
                        found.setdefault(other, set()).add(signature)
    return found


def _order(cell: Cell) -> tuple[int, int, Key]:
    return cell.rank, len(cell.people), cell.key


def audit(cells: Iterable[Cell], breakdowns: Iterable[Breakdown]) -> Published:
    """Rule 1, then rule 2 keeping the highest-ranked cells, then rule 3 until nothing changes."""
    candidates = [c for c in cells if len(c.people) >= c.minimum]
    kinds = signatures(candidates)
    clashes = conflicts(candidates, kinds)
    shown: dict[Key, Cell] = {}
    taken: set[Signature] = set()
    for _, cell, signature in sorted(((_order(c), c, s) for c, s in zip(candidates, kinds)),
                                     key=lambda item: item[0], reverse=True):
        if clashes.get(signature, set()).isdisjoint(taken):
            shown[cell.key] = cell
            taken.add(signature)
    _complete(shown, list(breakdowns))
    return Published({key: cell.value for key, cell in shown.items()})


def residual(parent: Cell, shown: list[Cell], enough: int) -> int:
    """How many of the parent's people the shown parts do not fully account for (counting stops
    at `enough`). Parts add up to their total when their values do: they are pieces of it."""
    uncovered = len(parent.people.difference(*(c.people for c in shown)))
    if parent.amounts is None or uncovered >= enough:
        return uncovered
    if sum(c.value for c in shown) == parent.value:
        return uncovered
    covered: dict[int, int] = {}
    for child in shown:
        for person, amount in (child.amounts or dict.fromkeys(child.people, 1)).items():
            covered[person] = covered.get(person, 0) + amount
    short = sum(1 for person, amount in parent.amounts.items() if person in covered and amount > covered[person])
    return uncovered + short


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
        left = residual(parent, parts, breakdown.minimum)
        while parts and 0 < left < breakdown.minimum:
            smallest = min(parts, key=_order)
            parts.remove(smallest)
            del shown[smallest.key]
            pending.update(by_child.get(smallest.key, ()))
            left = residual(parent, parts, breakdown.minimum)
