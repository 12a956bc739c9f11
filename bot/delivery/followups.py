"""Each prompt's follow-up question: it closes the digest of the share it led to, and opens the
leader's next nudge ("Last week you tried …: how did it go?")."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.compose import LastWeek
from bot.core.services import Services
from bot.delivery.prompts import prompt_for
from storage.tables import Nudge, Person, Share

RECENT = timedelta(days=14)  # older than this, "last week" would not be true


def _follow_up(services: Services, nudge: Nudge | None, locale: str | None) -> str | None:
    if nudge is None:
        return None
    try:
        return prompt_for(services, nudge.pack, nudge.prompt_id, locale).follow_up
    except (KeyError, LookupError):  # the pack changed since: no follow-up rather than a wrong one
        return None


async def follow_up_for(services: Services, session: AsyncSession, share: Share) -> str | None:
    """The follow-up of the prompt the share answered; a share begun without a nudge gets none."""
    nudge = await session.get(Nudge, share.nudge_id) if share.nudge_id else None
    return _follow_up(services, nudge, await locale_of(session, share.leader_id) if nudge else None)


async def last_weeks(services: Services, session: AsyncSession,
                     nudges: list[tuple[Nudge, Person]]) -> dict[int, LastWeek]:
    """Each nudge's opener: its leader's latest share posted in the two weeks before it, if any.
    Two queries for a whole batch of (nudge, leader)."""
    leaders = {nudge.leader_id for nudge, _ in nudges}
    if not leaders:
        return {}
    query = (select(Share).where(col(Share.leader_id).in_(leaders), Share.status == "posted",
                                 col(Share.posted_at) >= services.clock.now() - RECENT)
             .order_by(col(Share.posted_at).desc(), col(Share.id).desc()))
    shares = list((await session.exec(query)).all())
    answered = {n.id: n for n in (await session.exec(select(Nudge).where(
        col(Nudge.id).in_({s.nudge_id for s in shares if s.nudge_id})))).all()} if shares else {}
    found: dict[int, LastWeek] = {}
    for nudge, leader in nudges:
        share = next((s for s in shares if s.leader_id == nudge.leader_id and s.nudge_id != nudge.id), None)
        if share is None or nudge.id is None:
            continue
        follow_up = (_follow_up(services, answered.get(share.nudge_id or -1), leader.locale)
                     or services.words(leader.locale)("nudge.generic_follow_up"))
        found[nudge.id] = LastWeek(tried=share.try_text.strip().rstrip("."), follow_up=follow_up)
    return found


async def last_week(services: Services, session: AsyncSession, nudge: Nudge) -> LastWeek | None:
    """The leader's latest share posted in the two weeks before this nudge, if any."""
    leader = await session.get(Person, nudge.leader_id)
    if leader is None or nudge.id is None:
        return None
    return (await last_weeks(services, session, [(nudge, leader)])).get(nudge.id)


async def locale_of(session: AsyncSession, person_id: int | None) -> str | None:
    """The leader's language, for the words around their own share."""
    person = await session.get(Person, person_id) if person_id else None
    return person.locale if person else None
