"""The durable nudge outbox: claim due nudges, send each through the platform, record where it landed.

`sending` is committed with a fresh claim id *before* the platform call, so a crash leaves a trace
that recovery (recovery.py) finds instead of a second message. Every state change goes through
`states.move`; whether a nudge may go out now is the pure `policy.send_decision`."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import states
from bot.delivery.capability import marker_for, send_marked
from bot.delivery.followups import last_week
from bot.delivery.prompts import prompt_for
from bot.delivery.policy import Policy, SendFacts, held_reason, send_decision
from bot.delivery.states import OPEN, NudgeState
from bot.core import compose
from bot.core.messages import Sent
from bot.core.port import DeliveryError, UnknownPlatform
from bot.core.services import Services
from bot.scheduling.people import hours_of, pause_covering
from storage.db import is_sqlite
from storage.tables import Nudge, Person, Workspace
from storage.tables.scheduling import CampaignSchedule, NudgeDelivery

log = logging.getLogger(__name__)


async def _delivery(session: AsyncSession, nudge_id: int) -> NudgeDelivery:
    row = await session.get(NudgeDelivery, nudge_id)
    if row is None:
        row = NudgeDelivery(nudge_id=nudge_id)
        session.add(row)
    return row


async def _claim(session: AsyncSession, nudge_id: int, now: datetime) -> str | None:
    """A conditional UPDATE: of two workers racing for one row, exactly one sees rowcount 1."""
    result = await session.exec(
        update(Nudge).where(col(Nudge.id) == nudge_id, col(Nudge.state).in_(OPEN))
        .values(state=NudgeState.SENDING.value, attempts=Nudge.attempts + 1))
    if result.rowcount != 1:
        return None
    claim_id = uuid.uuid4().hex
    delivery = await _delivery(session, nudge_id)
    delivery.claim_id, delivery.claimed_at, delivery.not_before = claim_id, now, None
    session.add(delivery)
    return claim_id


async def claim_one(services: Services, nudge_id: int) -> str | None:
    async with services.db.session() as session:
        return await _claim(session, nudge_id, services.clock.now())


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (col(Nudge.state).in_(OPEN), col(Nudge.due_at) <= now,
            or_(col(NudgeDelivery.not_before).is_(None), col(NudgeDelivery.not_before) <= now))


async def due_workspaces(services: Services, limit: int) -> list[str]:
    """Workspaces with nudges to send now, the longest-waiting first: each gets its own lane."""
    query = (select(Nudge.workspace_id).outerjoin(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
             .where(*_due(services.clock.now())).group_by(col(Nudge.workspace_id))
             .order_by(func.min(Nudge.due_at)).limit(limit))
    async with services.db.session() as session:
        return list((await session.exec(query)).all())


async def claim_due(services: Services, limit: int = 20, workspace_id: str | None = None) -> list[tuple[int, str]]:
    """Due rows (of one workspace, if named), claimed with one conditional UPDATE: of two workers
    racing for a row, exactly one gets it back. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets
    replicas take disjoint rows without waiting on each other. One claim id covers the batch."""
    now = services.clock.now()
    async with services.db.session() as session:
        query = (select(Nudge.id).outerjoin(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
                 .where(*_due(now)).order_by(col(Nudge.due_at), col(Nudge.id)).limit(limit))
        if workspace_id is not None:
            query = query.where(col(Nudge.workspace_id) == workspace_id)
        if not is_sqlite(services.db.url):
            query = query.with_for_update(of=Nudge, skip_locked=True)
        ids = [i for i in (await session.exec(query)).all() if i is not None]
        if not ids:
            return []
        won = list((await session.exec(
            update(Nudge).where(col(Nudge.id).in_(ids), col(Nudge.state).in_(OPEN))
            .values(state=NudgeState.SENDING.value, attempts=Nudge.attempts + 1).returning(col(Nudge.id)))).scalars())
        if not won:
            return []
        claim_id = uuid.uuid4().hex
        await session.exec(update(NudgeDelivery).where(col(NudgeDelivery.nudge_id).in_(won))
                           .values(claim_id=claim_id, claimed_at=now, not_before=None))
        have = set((await session.exec(select(NudgeDelivery.nudge_id).where(col(NudgeDelivery.nudge_id).in_(won)))).all())
        session.add_all([NudgeDelivery(nudge_id=i, claim_id=claim_id, claimed_at=now) for i in won if i not in have])
    order = {nudge_id: n for n, nudge_id in enumerate(ids)}
    return [(nudge_id, claim_id) for nudge_id in sorted(won, key=order.__getitem__)]


async def ours(session: AsyncSession, nudge_id: int, claim_id: str) -> tuple[Nudge, NudgeDelivery] | None:
    nudge = await session.get(Nudge, nudge_id)
    delivery = await session.get(NudgeDelivery, nudge_id)
    if nudge is None or delivery is None or nudge.state != NudgeState.SENDING or delivery.claim_id != claim_id:
        return None
    return nudge, delivery


async def _facts(session: AsyncSession, services: Services, policy: Policy, nudge: Nudge, leader: Person,
                 workspace: Workspace, scheduled: bool) -> SendFacts:
    now, hours = services.clock.now(), hours_of(leader)
    paused = await pause_covering(session, leader, now.astimezone(hours.zone).date())
    schedule = await session.get(CampaignSchedule, nudge.campaign_id)
    grace = schedule.grace_hours if schedule and schedule.grace_hours is not None else policy.grace_hours
    return SendFacts(now=now, due_at=nudge.due_at, hours=hours, held=held_reason(leader, workspace),
                     pause=(paused.kind, paused.ends_on) if paused else None, grace_hours=grace, scheduled=scheduled)


async def deliver_claimed(services: Services, nudge_id: int, claim_id: str, policy: Policy = Policy(),
                          *, scheduled: bool = True) -> Nudge | None:
    """Sends one claimed nudge and records the outcome, only while the claim is still ours."""
    async with services.db.session() as session:
        owned = await ours(session, nudge_id, claim_id)
        if owned is None:
            return None
        nudge, delivery = owned
        leader = await session.get(Person, nudge.leader_id)
        workspace = await session.get(Workspace, nudge.workspace_id)
        assert leader is not None and workspace is not None
        stop = send_decision(await _facts(session, services, policy, nudge, leader, workspace, scheduled))
        if stop is not None:
            states.move(nudge, *stop)
            nudge.attempts -= 1  # nothing was attempted
            if stop.not_before is not None:  # outside working hours: not claimed again until then
                delivery.not_before = stop.not_before
                session.add(delivery)
            session.add(nudge)
            return nudge
        try:
            prompt = prompt_for(services, nudge.pack, nudge.prompt_id, leader.locale)
        except (KeyError, LookupError):
            states.move(nudge, NudgeState.FAILED,
                        f"prompt {nudge.prompt_id!r} of pack {nudge.pack!r} is no longer installed")
            session.add(nudge)
            return nudge
        message = compose.nudge_message(services.words(leader.locale), prompt, nudge_id,
                                        await last_week(services, session, nudge))
        user_id, workspace_id = leader.platform_user_id, nudge.workspace_id
        renewed = await session.exec(  # the lease runs from the send, and only while the claim is ours
            update(NudgeDelivery).where(col(NudgeDelivery.nudge_id) == nudge_id, col(NudgeDelivery.claim_id) == claim_id)
            .values(claimed_at=services.clock.now()))
        if renewed.rowcount != 1:
            return None
    try:
        sent = await send_marked(services.platform(workspace_id), workspace_id, user_id, message, marker_for(nudge_id))
    except UnknownPlatform as exc:
        return await record_failure(services, policy, nudge_id, claim_id, DeliveryError(str(exc), permanent=False))
    except DeliveryError as exc:
        if exc.outcome_unknown:
            return await record_unknown_outcome(services, nudge_id, claim_id, exc)
        return await record_failure(services, policy, nudge_id, claim_id, exc)
    return await record_sent(services, nudge_id, claim_id, sent)


async def record_unknown_outcome(services: Services, nudge_id: int, claim_id: str, exc: DeliveryError) -> Nudge | None:
    """The request left and no answer came: the nudge stays `sending`, and once its lease is over
    recovery asks the platform for its marker (found: sent; absent: retried; can't tell: unknown).
    Never a blind second send."""
    async with services.db.session() as session:
        owned = await ours(session, nudge_id, claim_id)
        if owned is None:
            return None
        nudge, _ = owned
        nudge.last_error = f"{exc.reason}; checked by its marker before anything is sent again"[:500]
        session.add(nudge)
    log.warning("nudge %s: outcome unknown (%s); recovery will look it up", nudge_id, exc.reason)
    services.metrics.inc("gofirst_nudges_delivered_total", outcome="unknown_outcome")
    return nudge


async def record_sent(services: Services, nudge_id: int, claim_id: str, sent: Sent, note: str | None = None) -> Nudge | None:
    async with services.db.session() as session:
        owned = await ours(session, nudge_id, claim_id)
        if owned is None:
            log.error("nudge %s was sent but its claim moved on; not recording twice", nudge_id)
            return None
        nudge, delivery = owned
        states.move(nudge, NudgeState.SENT)
        nudge.sent_at = services.clock.now()
        nudge.channel_id, nudge.platform_message_id = sent.channel_id, sent.message_id
        if note:
            delivery.note = note
            session.add(delivery)
        session.add(nudge)
    services.metrics.inc("gofirst_nudges_delivered_total", outcome="recovered" if note else "sent")
    return nudge


async def record_failure(services: Services, policy: Policy, nudge_id: int, claim_id: str,
                         exc: DeliveryError) -> Nudge | None:
    now = services.clock.now()
    async with services.db.session() as session:
        owned = await ours(session, nudge_id, claim_id)
        if owned is None:
            return None
        nudge, delivery = owned
        if exc.permanent:
            states.move(nudge, NudgeState.FAILED, exc.reason)
            leader = await session.get(Person, nudge.leader_id)
            workspace = await session.get(Workspace, nudge.workspace_id)
            if exc.scope == "person" and leader is not None:
                leader.inactive_reason = exc.reason[:200]
                session.add(leader)
            elif exc.scope == "workspace" and workspace is not None:
                workspace.active = False
                session.add(workspace)
        elif nudge.attempts >= policy.max_attempts:
            states.move(nudge, NudgeState.FAILED, f"gave up after {nudge.attempts} attempts: {exc.reason}")
        else:
            states.move(nudge, NudgeState.RETRY, exc.reason)
            delivery.not_before = now + policy.backoff(nudge.attempts, exc.retry_after)
            session.add(delivery)
        session.add(nudge)
        log.warning("nudge %s not delivered (%s): %s", nudge_id, nudge.state, exc.reason)
    services.metrics.inc("gofirst_nudges_delivered_total", outcome=nudge.state)
    return nudge
