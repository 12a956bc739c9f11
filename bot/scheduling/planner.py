"""When a nudge lands, as a pure function: a campaign's cadence and a person's zone and hours in,
local send times out, each with the reasons it was moved. No I/O, so every rule is tested directly."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.core.streaks import iso_week

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crontab: 0 and 7 are Sunday
EVERY_N_ANCHOR = date(2024, 1, 1)  # a Monday: "every 2 weeks" counts from here unless a start date is set
MAX_OCCURRENCES = 400


class PlanError(ValueError):
    """Bad scheduling input; `field` names what to fix."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name
        self.problem = problem


@dataclass(frozen=True)
class Cadence:
    weekday: int = 0
    local_time: time = time(10, 0)
    every_n_weeks: int = 1
    cron: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    quiet_days: frozenset[int] = frozenset()
    tz: str | None = None  # set: the campaign's time is in this zone for everyone; unset: each person's own


@dataclass(frozen=True)
class Hours:
    tz: str = "UTC"
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    quiet_days: frozenset[int] = frozenset({5, 6})

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.tz)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.quiet_days


@dataclass(frozen=True)
class Slot:
    """One send: `nominal` is what the campaign asked for, `due` where it lands (both local)."""

    period: str
    nominal: datetime
    due: datetime
    reasons: tuple[str, ...] = field(default=())

    @property
    def due_utc(self) -> datetime:
        return self.due.astimezone(timezone.utc)


def zone_named(name: str, field_name: str = "tz") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PlanError(field_name, f"unknown timezone {name!r}; use an IANA name such as "
                                    "'Europe/Berlin' or 'America/New_York'") from None


def parse_hhmm(text: str, field_name: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise PlanError(field_name, f"{text!r} is not a time of day; write it as HH:MM, e.g. 09:30") from None


def parse_days(text: str, field_name: str = "quiet_days") -> frozenset[int]:
    """`"5,6"` (Monday = 0) or `"sat,sun"` → {5, 6}."""
    days: set[int] = set()
    for token in (t.strip().lower() for t in text.replace(" ", ",").split(",")):
        if not token:
            continue
        if token.isdigit() and int(token) < 7:
            days.add(int(token))
        elif token[:3] in SHORT_DAYS:
            days.add(SHORT_DAYS.index(token[:3]))
        else:
            raise PlanError(field_name, f"{token!r} is not a weekday; use mon..sun or 0..6 (Monday = 0)")
    return frozenset(days)


def cron_trigger(expr: str, zone: ZoneInfo) -> CronTrigger:
    """A crontab expression read the standard way (day of week 0 or 7 = Sunday), unlike APScheduler
    3's own `from_crontab`, which counts 0 as Monday (its documented historical mistake)."""
    fields = expr.split()
    if len(fields) != 5:
        raise PlanError("cron", f"{expr!r} has {len(fields)} fields; a cron expression has five: "
                                "minute hour day month weekday, e.g. '0 10 * * mon'")
    try:
        return CronTrigger(minute=fields[0], hour=fields[1], day=fields[2], month=fields[3],
                           day_of_week=_cron_weekdays(fields[4]), timezone=zone)
    except ValueError as exc:
        raise PlanError("cron", f"{expr!r} is not a valid cron expression ({exc}); "
                                "e.g. '0 10 * * mon' is Mondays at 10:00") from None


def _cron_weekdays(text: str) -> str:
    if "/" not in text and not any(ch.isdigit() for ch in text):
        return text  # names (mon-fri) and "*" mean the same in both conventions
    names: list[str] = []
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            lo, hi = base.split("-")
            first, last = _cron_day(lo), _cron_day(hi)
        else:
            first = last = _cron_day(base)
        names += [CRON_DAYS[d] for d in range(first, last + 1, step)]
    return ",".join(dict.fromkeys(names))


def _cron_day(token: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token.lower()[:3] in CRON_DAYS:
        return CRON_DAYS.index(token.lower()[:3])
    raise ValueError(f"weekday {token!r} is not 0-7 or sun..sat")


def at_local(day: date, wall: time, zone: ZoneInfo) -> tuple[datetime, str | None]:
    """`wall` on `day` in `zone`. A time the clocks skip (spring forward) moves past the gap; a time
    that happens twice (autumn) is the first one."""
    naive = datetime.combine(day, wall)
    real = naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone)
    if real.replace(tzinfo=None) != naive:
        return real, f"{wall:%H:%M} does not exist on {day.isoformat()} (clocks go forward); moved to {real:%H:%M}"
    return real, None


def nominal_times(cadence: Cadence, zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[tuple[str, datetime, str | None]]:
    """(period, local time, DST note) for each occurrence with start <= time < end."""
    if cadence.cron:
        trigger = cron_trigger(cadence.cron, zone)
        moment = start.astimezone(zone) - timedelta(microseconds=1)
        for _ in range(MAX_OCCURRENCES):
            nxt = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
            if nxt is None or nxt >= end:
                return
            local = nxt.astimezone(zone)
            if _within_dates(cadence, local.date()):
                yield local.date().isoformat(), local, None
            moment = nxt + timedelta(seconds=59)
        return
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    anchor = _monday(cadence.start_date or EVERY_N_ANCHOR)
    while day <= last:
        if day.weekday() == cadence.weekday and _within_dates(cadence, day) \
                and ((_monday(day) - anchor).days // 7) % cadence.every_n_weeks == 0:
            local, note = at_local(day, cadence.local_time, zone)
            if start <= local < end:
                yield iso_week(day), local, note
        day += timedelta(days=1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _within_dates(cadence: Cadence, day: date) -> bool:
    return (cadence.start_date is None or day >= cadence.start_date) and \
        (cadence.end_date is None or day <= cadence.end_date)


def place(nominal: datetime, hours: Hours, extra_quiet: frozenset[int] = frozenset()) -> tuple[datetime, list[str]]:
    """Moves a local time inside the person's working hours and off quiet days (theirs and the
    campaign's), never earlier than asked. Returns the local time and why it moved."""
    zone, quiet = hours.zone, hours.quiet_days | extra_quiet
    if len(quiet) >= 7:
        raise PlanError("quiet_days", "every day of the week is quiet; leave at least one working day")
    day, wall, reasons = nominal.date(), nominal.timetz().replace(tzinfo=None), []
    if wall < hours.work_start:
        wall = hours.work_start
        reasons.append(f"before working hours; moved to {wall:%H:%M}")
    elif wall >= hours.work_end:
        day, wall = day + timedelta(days=1), hours.work_start
        reasons.append(f"after working hours (end {hours.work_end:%H:%M}); moved to the next morning")
    original_day = day
    while day.weekday() in quiet:
        day += timedelta(days=1)
    if day != original_day:
        reasons.append(f"{DAY_NAMES[original_day.weekday()]} is a quiet day; moved to {DAY_NAMES[day.weekday()]}")
    local, note = at_local(day, wall, zone)
    if note and (day, wall) != (nominal.date(), nominal.timetz().replace(tzinfo=None)):
        reasons.append(note)
    return local, reasons


def slots(cadence: Cadence, hours: Hours, start: datetime, end: datetime) -> list[Slot]:
    """Every send for one person whose campaign time falls in [start, end), placed humanely."""
    zone = zone_named(cadence.tz, "timezone") if cadence.tz else hours.zone
    found: list[Slot] = []
    for period, nominal, note in nominal_times(cadence, zone, start, end):
        due, reasons = place(nominal.astimezone(hours.zone), hours, cadence.quiet_days)
        found.append(Slot(period, nominal, due, tuple(([note] if note else []) + reasons)))
    return found


def describe(moment: datetime, tz: str) -> str:
    """ISO local time with the zone, e.g. `2026-11-30T10:00:00+01:00[Europe/Berlin]`."""
    return f"{moment.astimezone(zone_named(tz)).isoformat(timespec='seconds')}[{tz}]"
