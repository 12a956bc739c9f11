"""A person's zone, working hours and pauses as the planner sees them; profile refresh and the
person's own overrides (an override wins over the platform profile)."""
from __future__ import annotations

import logging
from datetime import date, time
from functools import lru_cache

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.port import DeliveryError, Platform
from bot.scheduling.planner import Hours, PlanError, parse_days, parse_hhmm, zone_named
from storage.tables import Pause, Person

HOLDING_PAUSES = ("snooze", "vacation", "skip")
log = logging.getLogger(__name__)


def hours_of(person: Person) -> Hours:
    """The planner's view of a person; bad stored values fall back to safe defaults, never a crash."""
    return _hours(person.tz, person.work_start, person.work_end, person.quiet_days)


@lru_cache(maxsize=4096)
def _hours(tz_name: str, work_start: str, work_end: str, quiet_days: str) -> Hours:
    """Cached: a campaign's leaders share a handful of zones and hours, and parsing them was a
    tenth of planning's CPU."""
    try:
        zone_named(tz_name)
        tz = tz_name
    except PlanError:
        tz = "UTC"
    try:
        start, end = parse_hhmm(work_start, "work_start"), parse_hhmm(work_end, "work_end")
        if end <= start:
            raise PlanError("work_end", "ends before it starts")
    except PlanError:
        start, end = time(9, 0), time(17, 0)
    try:
        quiet = parse_days(quiet_days)
    except PlanError:
        quiet = frozenset({5, 6})
    if len(quiet) >= 7:
        quiet = frozenset({5, 6})
    return Hours(tz=tz, work_start=start, work_end=end, quiet_days=quiet)


async def pause_covering(session: AsyncSession, person: Person, day: date) -> Pause | None:
    """The snooze, vacation or skipped week covering `day`, if any (the longest one)."""
    assert person.id is not None
    return (await pauses_covering(session, {person.id: day})).get(person.id)


async def pauses_covering(session: AsyncSession, days: dict[int, date]) -> dict[int, Pause]:
    """For each person id, the longest holding pause covering that person's `day`: one query for a batch."""
    if not days:
        return {}
    query = select(Pause).where(col(Pause.person_id).in_(days), Pause.starts_on <= max(days.values()),
                                Pause.ends_on >= min(days.values()))
    found: dict[int, Pause] = {}
    for pause in (await session.exec(query)).all():
        day, best = days[pause.person_id], found.get(pause.person_id)
        if pause.kind in HOLDING_PAUSES and pause.starts_on <= day <= pause.ends_on and (
                best is None or pause.ends_on > best.ends_on):
            found[pause.person_id] = pause
    return found


async def profile_zone(platform: Platform, person: Person) -> str | None:
    """The zone the platform profile gives, when it should replace the stored one (None otherwise).
    Asked with no transaction open: the platform may take seconds to answer."""
    if person.tz_overridden:
        return None
    try:
        profile = await platform.fetch_profile(person.workspace_id, person.platform_user_id)
    except Exception as exc:  # a profile lookup must never stop planning: keep the zone we have
        log.warning("profile of %s unavailable: %s", person.platform_user_id,
                    exc.reason if isinstance(exc, DeliveryError) else type(exc).__name__)
        return None
    if profile is None or not profile.tz or profile.tz == person.tz:
        return None
    try:
        zone_named(profile.tz)
    except PlanError:
        return None
    return profile.tz


def apply_zone(session: AsyncSession, person: Person, zone: str | None) -> bool:
    """Takes the profile's zone unless the person set their own. Returns whether it changed."""
    if zone is None or person.tz_overridden or zone == person.tz:
        return False
    person.tz = zone
    session.add(person)
    return True


def override_timezone(session: AsyncSession, person: Person, tz: str | None) -> None:
    """The person's own zone (None goes back to the profile's)."""
    if tz is None:
        person.tz_overridden = False
    else:
        zone_named(tz)
        person.tz, person.tz_overridden = tz, True
    session.add(person)


def override_hours(session: AsyncSession, person: Person, start: str, end: str, quiet_days: str | None = None) -> None:
    if parse_hhmm(end, "work_end") <= parse_hhmm(start, "work_start"):
        raise PlanError("work_end", f"{end} is not after {start}; working hours must end after they start")
    if quiet_days is not None:
        days = parse_days(quiet_days)
        if len(days) >= 7:
            raise PlanError("quiet_days", "every day is quiet; leave at least one working day")
        person.quiet_days = ",".join(str(d) for d in sorted(days))
    person.work_start, person.work_end = start, end
    session.add(person)
