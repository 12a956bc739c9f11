"""The frequency cap and working-time arithmetic, pure: what "at most one a working day and three
a week", "six working hours late" and "two working days later" mean for one person."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from bot.scheduling.planner import Hours, at_local

MAX_DEFER_DAYS = 70


@dataclass(frozen=True)
class Cap:
    per_day: int = 1
    per_week: int = 3


def _same_week(a: date, b: date) -> bool:
    return a.isocalendar()[:2] == b.isocalendar()[:2]


def apply_cap(due: datetime, taken: Sequence[datetime], hours: Hours, cap: Cap,
              max_days: int = 7) -> tuple[datetime | None, str | None]:
    """The first moment at or after `due` (same wall time, working days only) where the person's
    other nudges (`taken`, any zone) leave room: what the cap holds back is deferred, not dropped.
    None when there is no room within `max_days`: a campaign busier than the cap would otherwise
    push an ever-growing backlog into the future, so that nudge is held back (and shown)."""
    zone = hours.zone
    limit = due.astimezone(zone).date() + timedelta(days=max_days)
    days = [t.astimezone(zone).date() for t in taken]
    wall = due.astimezone(zone).timetz().replace(tzinfo=None)
    day = due.astimezone(zone).date()
    while day <= limit:
        if hours.is_working_day(day):
            per_day = sum(1 for d in days if d == day)
            per_week = sum(1 for d in days if _same_week(d, day))
            if per_day < cap.per_day and per_week < cap.per_week:
                if day == due.astimezone(zone).date():
                    return due, None
                moved, _ = at_local(day, wall, zone)
                why = "a day" if per_week < cap.per_week else "a week"
                return moved, (f"deferred by the frequency cap (at most {cap.per_day} a working day, "
                               f"{cap.per_week} a week) to {moved:%A %Y-%m-%d}; {why} limit reached")
            if per_week >= cap.per_week:
                day = day + timedelta(days=7 - day.weekday())  # the week is full: next Monday
                continue
        day += timedelta(days=1)
    return None, (f"held back by the frequency cap (at most {cap.per_day} a working day, {cap.per_week} "
                  f"a week): no room within {max_days} days")


def working_hours_between(start: datetime, end: datetime, hours: Hours) -> float:
    """Hours of the person's working time between two instants (quiet days count zero)."""
    if end <= start:
        return 0.0
    zone, total = hours.zone, 0.0
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    if (last - day).days > MAX_DEFER_DAYS:
        return float("inf")
    while day <= last:
        if hours.is_working_day(day):
            opens, _ = at_local(day, hours.work_start, zone)
            closes, _ = at_local(day, hours.work_end, zone)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 3600
        day += timedelta(days=1)
    return total


def add_working_days(moment: datetime, count: int, hours: Hours) -> datetime:
    """The same wall time `count` working days later (the reminder's moment)."""
    zone = hours.zone
    local = moment.astimezone(zone)
    day, left = local.date(), count
    while left > 0:
        day += timedelta(days=1)
        if hours.is_working_day(day):
            left -= 1
    wall = min(max(local.timetz().replace(tzinfo=None), hours.work_start), hours.work_end)
    return at_local(day, wall, zone)[0].astimezone(timezone.utc)
