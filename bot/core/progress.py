"""Loads what the streak rules need from storage, for one leader, and remembers the longest streak
they were shown so that it never goes down."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.services import zone_of
from bot.core.streaks import ShareOutcome, Streak, WeekEffect, compute_streak, iso_week, weekly_effect, \
    week_start, weeks_between
from storage.repositories.shares import posted_shares, replies_for_shares
from storage.tables import Pause, Person, Share
from storage.tables.loop import StreakRecord

FREEZING_PAUSES = ("snooze", "vacation")


def local_week(person: Person, now: datetime) -> str:
    return iso_week(now.astimezone(zone_of(person)).date())


def week_end(person: Person, week: str) -> datetime:
    """The first moment after the leader's week, in their zone: replies later than this don't undo it."""
    day = week_start(week) + timedelta(days=7)
    return datetime.combine(day, time(0), tzinfo=zone_of(person))


async def frozen_weeks(session: AsyncSession, person_id: int) -> set[str]:
    query = select(Pause).where(Pause.person_id == person_id)
    weeks: set[str] = set()
    for pause in (await session.exec(query)).all():
        if pause.kind in FREEZING_PAUSES:
            weeks |= weeks_between(pause.starts_on, pause.ends_on)
    return weeks


async def outcomes(session: AsyncSession, person: Person, now: datetime) -> list[ShareOutcome]:
    """Each posted share as the rules see it: replies by teammates before its week ended, answered or not."""
    assert person.id is not None
    shares: list[Share] = await posted_shares(session, person.id)
    replies = await replies_for_shares(session, [s.id for s in shares if s.id is not None])
    found = []
    for share in shares:
        week = share.week or local_week(person, now)
        mine = [r for r in replies if r.share_id == share.id]
        team = [r for r in mine if not r.is_leader]
        found.append(ShareOutcome(week=week, got_replies=any(r.created_at < week_end(person, week) for r in team),
                                  leader_answered=any(r.is_leader for r in mine), replies=len(team)))
    return found


async def load_streak(session: AsyncSession, person: Person, now: datetime) -> Streak:
    assert person.id is not None
    record = await session.get(StreakRecord, person.id)
    shown = record.longest if record else 0
    streak = compute_streak(await outcomes(session, person, now), await frozen_weeks(session, person.id),
                            local_week(person, now), shown_longest=shown)
    if streak.longest > shown:
        record = record or StreakRecord(person_id=person.id)
        record.longest = streak.longest
        session.add(record)
    return streak


async def load_effect(session: AsyncSession, person: Person, now: datetime, weeks: int = 8) -> list[WeekEffect]:
    assert person.id is not None
    return weekly_effect(await outcomes(session, person, now), await frozen_weeks(session, person.id),
                         local_week(person, now), weeks)
