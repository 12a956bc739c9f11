"""Loads what the streak rules need from storage, for one leader."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.services import zone_of
from bot.core.streaks import ShareOutcome, Streak, compute_streak, iso_week, weeks_between
from storage.repositories.shares import posted_shares, replies_for_shares
from storage.tables import Pause, Person

FREEZING_PAUSES = ("snooze", "vacation")


def local_week(person: Person, now: datetime) -> str:
    return iso_week(now.astimezone(zone_of(person)).date())


async def frozen_weeks(session: AsyncSession, person_id: int) -> set[str]:
    query = select(Pause).where(Pause.person_id == person_id)
    weeks: set[str] = set()
    for pause in (await session.exec(query)).all():
        if pause.kind in FREEZING_PAUSES:
            weeks |= weeks_between(pause.starts_on, pause.ends_on)
    return weeks


async def load_streak(session: AsyncSession, person: Person, now: datetime) -> Streak:
    assert person.id is not None
    shares = await posted_shares(session, person.id)
    replies = await replies_for_shares(session, [s.id for s in shares if s.id is not None])
    outcomes = [
        ShareOutcome(
            week=share.week or local_week(person, now),
            got_replies=any(r.share_id == share.id and not r.is_leader for r in replies),
            leader_answered=any(r.share_id == share.id and r.is_leader for r in replies),
        )
        for share in shares
    ]
    return compute_streak(outcomes, await frozen_weeks(session, person.id), local_week(person, now))
