"""Each prompt's follow-up question: it closes the digest of the share it led to, and opens the
leader's next nudge ("Last week you tried …: how did it go?")."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.compose import LastWeek
from bot.core.services import Services
from bot.delivery.prompts import prompt_for
from storage.tables import Nudge, Person, Share

RECENT = timedelta(days=14)  # older than this, "last week" would not be true


async def follow_up_for(services: Services, session: AsyncSession, share: Share) -> str | None:
    """The follow-up of the prompt the share answered; a share begun without a nudge gets none."""
    nudge = await session.get(Nudge, share.nudge_id) if share.nudge_id else None
    if nudge is None:
        return None
    try:
        return prompt_for(services, nudge.pack, nudge.prompt_id, await locale_of(session, share.leader_id)).follow_up
    except (KeyError, LookupError):  # the pack changed since: no follow-up rather than a wrong one
        return None


async def last_week(services: Services, session: AsyncSession, nudge: Nudge) -> LastWeek | None:
    """The leader's latest share posted in the two weeks before this nudge, if any."""
    now = services.clock.now()
    query = (select(Share).where(Share.leader_id == nudge.leader_id, Share.status == "posted",
                                 col(Share.posted_at) >= now - RECENT,
                                 or_(col(Share.nudge_id).is_(None), col(Share.nudge_id) != nudge.id))
             .order_by(col(Share.posted_at).desc()).limit(1))
    share = (await session.exec(query)).first()
    if share is None:
        return None
    words = services.words(await locale_of(session, nudge.leader_id))
    follow_up = await follow_up_for(services, session, share) or words("nudge.generic_follow_up")
    return LastWeek(tried=share.try_text.strip().rstrip("."), follow_up=follow_up)


async def locale_of(session: AsyncSession, person_id: int | None) -> str | None:
    """The leader's language, for the words around their own share."""
    person = await session.get(Person, person_id) if person_id else None
    return person.locale if person else None
