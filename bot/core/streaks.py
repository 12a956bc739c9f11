"""Modelling streaks, as pure rules: weeks in a row the leader went first and listened.

A week (ISO week in the leader's timezone) counts when the leader shared and answered at least one
reply, or shared and nobody replied by the end of that week. The week in progress is *in progress*
until then: it counts as soon as the leader answers, and it never breaks the streak, so a teammate's
reply can't lower what the leader sees. A snoozed or vacation week freezes the streak: it neither
adds to it nor breaks it. "Longest" is the most the leader has ever been shown, so it never goes down.
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


def next_week(week: str) -> str:
    return iso_week(week_start(week) + timedelta(days=7))


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
    """One posted share. `got_replies`: a teammate answered before its week ended (or so far, for
    the week in progress); `replies`: how many teammates' answers it has had in all."""

    week: str
    got_replies: bool
    leader_answered: bool
    replies: int = 0

    def counts(self, this_week: str) -> bool:
        if self.leader_answered:
            return True
        return self.week != this_week and not self.got_replies


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    this_week_counted: bool
    waiting_for_answer: bool
    this_week_shared: bool = False

    @property
    def in_progress(self) -> bool:
        """Shared this week, not counted yet: it will be once the leader answers, or the week ends quietly."""
        return self.this_week_shared and not self.this_week_counted


def counted_weeks(shares: Iterable[ShareOutcome], this_week: str) -> set[str]:
    return {s.week for s in shares if s.counts(this_week)}


def compute_streak(shares: Iterable[ShareOutcome], frozen_weeks: set[str], this_week: str,
                   shown_longest: int = 0) -> Streak:
    shares = list(shares)
    if not shares:
        return Streak(0, shown_longest, False, False)
    counted = counted_weeks(shares, this_week)
    this_week_shares = [s for s in shares if s.week == this_week]
    waiting = any(s.got_replies and not s.leader_answered for s in this_week_shares) and this_week not in counted
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
        week = next_week(week)
    return Streak(current, max(longest, current, shown_longest), this_week in counted, waiting,
                  this_week_shared=bool(this_week_shares))


@dataclass(frozen=True)
class WeekEffect:
    """One week of the leader's own effect, for their home: did they go first, how many teammates
    answered, did they answer back, and how the week stands for the streak."""

    week: str
    shared: bool
    replies: int
    answered: bool
    state: str  # counted | in_progress | missed | frozen | none


def weekly_effect(shares: Iterable[ShareOutcome], frozen_weeks: set[str], this_week: str,
                  weeks: int = 8) -> list[WeekEffect]:
    """The last `weeks` weeks, oldest first, ending with this one."""
    shares = list(shares)
    counted = counted_weeks(shares, this_week)
    found: list[WeekEffect] = []
    week = this_week
    for _ in range(weeks):
        mine = [s for s in shares if s.week == week]
        if week in counted:
            state = "counted"
        elif mine and week == this_week:
            state = "in_progress"
        elif week in frozen_weeks:
            state = "frozen"
        elif mine:
            state = "missed"
        else:
            state = "none"
        found.append(WeekEffect(week, bool(mine), sum(s.replies for s in mine),
                                any(s.leader_answered for s in mine), state))
        week = previous_week(week)
    return found[::-1]
