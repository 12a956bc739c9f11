"""Nudges: plan one per campaign, leader and period, deliver it once, and follow the leader's choice."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach.packs import Pack, PackNudge, next_nudge
from bot.engine import compose
from bot.engine.controls import local_today, parse_snooze, pause, set_opted_out
from bot.engine.messages import Sent
from bot.engine.port import DeliveryError
from bot.engine.progress import local_week
from bot.engine.services import Services
from storage.db import after_commit
from storage.tables import Campaign, Nudge, Person, Workspace

log = logging.getLogger(__name__)
OPEN_STATES = ("planned", "due", "retry")


def prompt_in(pack: Pack, prompt_id: str) -> PackNudge:
    for prompt in pack.nudges:
        if prompt.id == prompt_id:
            return prompt
    raise LookupError(f"prompt {prompt_id!r} is not in pack {pack.id!r}")


async def seen_prompts(session: AsyncSession, leader_id: int, pack_id: str) -> list[str]:
    query = (select(Nudge.prompt_id)
             .where(Nudge.leader_id == leader_id, Nudge.pack == pack_id)
             .order_by(col(Nudge.created_at), col(Nudge.id)))
    return list((await session.exec(query)).all())


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
                  period=period, pack=pack.id, prompt_id=prompt.id, due_at=due_at)
    try:
        async with session.begin_nested():
            session.add(nudge)
    except IntegrityError:  # another worker planned it first: theirs stands
        found = await find_nudge(session, campaign, leader, period)
        assert found is not None
        return found, False
    return nudge, True


async def find_nudge(session: AsyncSession, campaign: Campaign, leader: Person, period: str) -> Nudge | None:
    query = select(Nudge).where(Nudge.campaign_id == campaign.id, Nudge.leader_id == leader.id,
                                Nudge.period == period)
    return (await session.exec(query)).first()


def held_reason(leader: Person, workspace: Workspace) -> str | None:
    """Why a nudge must not go out to this person now, if it must not."""
    if not workspace.active:
        return "workspace inactive (app uninstalled or token revoked)"
    if leader.opted_out:
        return "opted out"
    return leader.inactive_reason


async def deliver_nudge(services: Services, nudge_id: int) -> Nudge:
    """Sends a planned nudge now and records where it landed. It goes through the outbox's claim
    (a conditional update to `sending`), so a worker racing for the same row can't send it too, and
    a nudge not open any more is left alone, which is what makes a second call harmless."""
    from bot.scheduling import outbox  # scheduling builds on the engine; imported here to avoid a cycle

    async with services.db.session() as session:
        nudge = await session.get(Nudge, nudge_id)
        if nudge is None or nudge.state not in OPEN_STATES:
            raise LookupError(f"nudge {nudge_id} is not waiting to be sent")
    claim_id = await outbox.claim_one(services, nudge_id)
    delivered = await outbox.deliver_claimed(services, nudge_id, claim_id, scheduled=False) if claim_id else None
    if delivered is None:
        raise LookupError(f"nudge {nudge_id} is being sent by another worker")
    return delivered


async def close_nudge(services: Services, nudge: Nudge, state: str, outcome_key: str, **values: str) -> None:
    """Marks the leader's choice and rewrites the nudge message so its buttons don't linger."""
    nudge.state = state
    if not (nudge.channel_id and nudge.platform_message_id):
        return
    text = prompt_in(services.packs[nudge.pack], nudge.prompt_id).text
    message = compose.nudge_closed_message(services.copy, text, outcome_key, **values)
    where, nudge_id = Sent(nudge.channel_id, nudge.platform_message_id), nudge.id
    platform = services.platform(nudge.workspace_id)

    async def rewrite() -> None:
        try:
            await platform.update(nudge.workspace_id, where, message)
        except DeliveryError as exc:
            log.warning("could not update nudge %s: %s", nudge_id, exc.reason)

    session = object_session(nudge)
    if session is None:
        await rewrite()
    else:
        after_commit(session, rewrite)  # no database lock is held while the platform answers


async def leaders_nudge(session: AsyncSession, person: Person, value: str) -> Nudge | None:
    """The nudge a button refers to, only if it belongs to the person who clicked."""
    if not value.isdigit():
        return None
    nudge = await session.get(Nudge, int(value))
    return nudge if nudge is not None and nudge.leader_id == person.id else None


async def snooze_nudge(services: Services, session: AsyncSession, person: Person, nudge: Nudge) -> str:
    today = local_today(person, services.clock.now())
    until = parse_snooze("1w", today)
    await pause(session, person, "snooze", today, until)
    await close_nudge(services, nudge, "snoozed", "nudge.snoozed", until=until.isoformat())
    return until.isoformat()


async def skip_nudge(services: Services, person: Person, nudge: Nudge) -> None:
    await close_nudge(services, nudge, "skipped", "nudge.skipped")


async def decline_nudge(services: Services, session: AsyncSession, person: Person, nudge: Nudge) -> None:
    set_opted_out(session, person, True)
    await close_nudge(services, nudge, "declined", "nudge.declined")


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
        nudge_id, open_now = nudge.id, nudge.state in OPEN_STATES
    if not open_now:
        return nudge, False
    assert nudge_id is not None
    delivered = await deliver_nudge(services, nudge_id)
    return delivered, delivered.state == "sent"
