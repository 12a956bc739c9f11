"""Modelling streaks, as pure rules: weeks in a row the leader went first and listened.

A week (ISO week in the leader's timezone) counts when the leader posted a share and answered at
least one reply, or posted one that got no replies. A snoozed or vacation week freezes the streak:
it neither adds to it nor breaks it. The week in progress never breaks it either.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def previous_week(week: str) -> str:
    return iso_week(week_start(week) - timedelta(days=7))


def weeks_between(first: date, last: date) -> set[str]:
    """Every ISO week that overlaps the days from `first` to `last`, inclusive."""
    weeks: set[str] = set()
    day = first - timedelta(days=first.weekday())
    while day <= last:
        weeks.add(iso_week(day))
        day += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class ShareOutcome:
    week: str
    got_replies: bool
    leader_answered: bool

    @property
    def counts(self) -> bool:
        return self.leader_answered or not self.got_replies


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    this_week_counted: bool
    waiting_for_answer: bool


def compute_streak(shares: Iterable[ShareOutcome], frozen_weeks: set[str], this_week: str) -> Streak:
    shares = list(shares)
    counted = {s.week for s in shares if s.counts}
    waiting = any(s.week == this_week and not s.counts for s in shares)
    if not shares:
        return Streak(0, 0, False, False)
    earliest = min(week_start(s.week) for s in shares)

    current = 0
    week = this_week if this_week in counted else previous_week(this_week)
    while week_start(week) >= earliest:
        if week in counted:
            current += 1
        elif week not in frozen_weeks:
            break
        week = previous_week(week)

    longest = run = 0
    week = iso_week(earliest)
    while week_start(week) <= week_start(this_week):
        if week in counted:
            run += 1
            longest = max(longest, run)
        elif week not in frozen_weeks and week != this_week:
            run = 0
        week = iso_week(week_start(week) + timedelta(days=7))
    return Streak(current, longest, this_week in counted, waiting)
