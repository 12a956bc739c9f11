"""The calendar every HR figure is counted on. Periods come from one fixed grid (ISO weeks; months
and quarters made of whole weeks, each week belonging to the month of its Thursday, as ISO weeks
belong to a year) and a few named windows (a campaign's first and latest four weeks, the weeks
before and after an action). A free-form date range would let two overlapping queries be
subtracted, so there is none."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.streaks import iso_week, week_start

WEEK, MONTH, QUARTER, ALL, WINDOW = "week", "month", "quarter", "all", "window"
KINDS = (WEEK, MONTH, QUARTER, ALL)
LEVEL = {WEEK: 1, MONTH: 2, WINDOW: 2, QUARTER: 3, ALL: 4}
ALL_KEY = "all"


@dataclass(frozen=True, order=True)
class Period:
    """A set of whole weeks. `scope` limits a window to the one group it describes."""

    key: str
    kind: str
    weeks: frozenset[str]
    scope: tuple[str, str] | None = None

    @property
    def level(self) -> int:
        return LEVEL[self.kind]

    @property
    def last_week(self) -> str:
        return max(self.weeks)


def thursday(week: str) -> date:
    return week_start(week) + timedelta(days=3)


def month_of(week: str) -> str:
    return f"{thursday(week):%Y-%m}"


def quarter_of(week: str) -> str:
    day = thursday(week)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def shift(week: str, weeks: int) -> str:
    return iso_week(week_start(week) + timedelta(weeks=weeks))


def week_range(first: str, last: str) -> list[str]:
    """Every week from `first` to `last`, inclusive, in order."""
    found, week = [], first
    while week <= last:
        found.append(week)
        week = shift(week, 1)
    return found


def window(name: str, first: str, count: int, scope: tuple[str, str] | None) -> Period:
    weeks = week_range(first, shift(first, count - 1))
    return Period(f"{name}:{weeks[0]}..{weeks[-1]}", WINDOW, frozenset(weeks), scope)


def grid(weeks: Iterable[str]) -> list[Period]:
    """The week, month, quarter and whole-history periods that cover `weeks`."""
    weeks = sorted(set(weeks))
    found = [Period(w, WEEK, frozenset([w])) for w in weeks]
    for kind, of in ((MONTH, month_of), (QUARTER, quarter_of)):
        groups: dict[str, set[str]] = {}
        for w in weeks:
            groups.setdefault(of(w), set()).add(w)
        found += [Period(key, kind, frozenset(members)) for key, members in sorted(groups.items())]
    if weeks:
        found.append(Period(ALL_KEY, ALL, frozenset(weeks)))
    return found


def parts(period: Period, periods: Iterable[Period]) -> list[Period]:
    """The next finer grid periods that make up `period` exactly (months of a quarter, ...)."""
    finer = {ALL: QUARTER, QUARTER: MONTH, MONTH: WEEK}.get(period.kind)
    return [p for p in periods if p.kind == finer and p.weeks <= period.weeks]


def coarser(period: Period, periods: Iterable[Period]) -> list[Period]:
    """The grid periods that contain `period`, finest first: where a small figure is pooled."""
    return sorted((p for p in periods if p.scope is None and p.kind in KINDS and p.level > period.level
                   and period.weeks <= p.weeks), key=lambda p: p.level)
