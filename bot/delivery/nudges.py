"""Nudge rows: planned once per campaign, leader and period; sent now on an admin's request. The
engine and the planner ask this module; it never asks them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach.packs import next_nudge
from bot.delivery import outbox
from bot.delivery.batch import deliver_claimed
from bot.delivery.states import OPEN, NudgeState
from bot.core.services import Services
from bot.core.progress import local_week
from storage.tables import Campaign, Nudge, Person


async def seen_prompts(session: AsyncSession, leader_id: int, pack_id: str) -> list[str]:
    query = (select(Nudge.prompt_id)
             .where(Nudge.leader_id == leader_id, Nudge.pack == pack_id)
             .order_by(col(Nudge.created_at), col(Nudge.id)))
    return list((await session.exec(query)).all())


async def find_nudge(session: AsyncSession, campaign: Campaign, leader: Person, period: str) -> Nudge | None:
    query = select(Nudge).where(Nudge.campaign_id == campaign.id, Nudge.leader_id == leader.id,
                                Nudge.period == period)
    return (await session.exec(query)).first()


async def plan_nudge(
    session: AsyncSession, services: Services, campaign: Campaign, leader: Person, period: str, due_at: datetime
) -> tuple[Nudge, bool]:
    """The nudge for this campaign, leader and period: created once, found again afterwards.
    Returns (nudge, created)."""
    existing = await find_nudge(session, campaign, leader, period)
    if existing is not None:
        return existing, False
    assert leader.id is not None and campaign.id is not None
    pack = services.packs[campaign.pack]
    prompt = next_nudge(pack, await seen_prompts(session, leader.id, pack.id))
    nudge = Nudge(workspace_id=campaign.workspace_id, campaign_id=campaign.id, leader_id=leader.id,
                  period=period, pack=pack.id, prompt_id=prompt.id, due_at=due_at, state=NudgeState.PLANNED)
    try:
        async with session.begin_nested():
            session.add(nudge)
    except IntegrityError:  # another worker planned it first: theirs stands
        found = await find_nudge(session, campaign, leader, period)
        assert found is not None
        return found, False
    return nudge, True


async def deliver_nudge(services: Services, nudge_id: int) -> Nudge:
    """Sends a planned nudge now and records where it landed, through the outbox's claim (a
    conditional update to `sending`), so a worker racing for the same row can't send it too, and a
    nudge not open any more is left alone: a second call is harmless."""
    async with services.db.session() as session:
        nudge = await session.get(Nudge, nudge_id)
        if nudge is None or nudge.state not in OPEN:
            raise LookupError(f"nudge {nudge_id} is not waiting to be sent")
    claim_id = await outbox.claim_one(services, nudge_id)
    delivered = await deliver_claimed(services, nudge_id, claim_id, scheduled=False) if claim_id else None
    if delivered is None:
        raise LookupError(f"nudge {nudge_id} is being sent by another worker")
    return delivered


async def send_now(services: Services, campaign_id: int, leader_id: int) -> tuple[Nudge, bool]:
    """This period's nudge for one leader, sent at once if it hasn't been. Returns (nudge, sent now);
    asking twice in a period sends nothing the second time."""
    async with services.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        leader = await session.get(Person, leader_id)
        if campaign is None or leader is None:
            raise LookupError("no such campaign or leader")
        nudge, _ = await plan_nudge(session, services, campaign, leader, local_week(leader, services.clock.now()),
                                    services.clock.now())
        nudge_id, open_now = nudge.id, nudge.state in OPEN
    if not open_now:
        return nudge, False
    assert nudge_id is not None
    delivered = await deliver_nudge(services, nudge_id)
    return delivered, delivered.state == NudgeState.SENT
