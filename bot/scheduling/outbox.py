"""The durable outbox: claim due nudges, send each through the platform, record where it landed.

States: planned → sending → sent; sending → retry → sending (transient errors, with backoff and
Retry-After); → failed (permanent, or out of attempts); planned → missed (older than the grace
window: never a stale burst); planned → held (opted out, paused, inactive); sending → unknown
(crashed mid-send on a platform that can't tell us whether it went out: at most once).
`sending` is committed with a fresh claim id *before* the platform call, so a crash leaves a
trace that recovery finds instead of a second message."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.engine import compose
from bot.engine.messages import Sent
from bot.engine.nudges import OPEN_STATES, held_reason, prompt_in
from bot.engine.port import DeliveryError, UnknownPlatform
from bot.engine.services import Services
from bot.scheduling.cap import working_hours_between
from bot.scheduling.capability import Traceable, marker_for, send_marked
from bot.scheduling.people import hours_of, pause_covering
from storage.db import is_sqlite
from storage.tables import Nudge, Person, Workspace
from storage.tables.scheduling import CampaignSchedule, NudgeDelivery

log = logging.getLogger(__name__)
CLAIMABLE = OPEN_STATES  # the engine decides which states still wait to be sent


@dataclass(frozen=True)
class Policy:
    grace_hours: float = 6.0
    max_attempts: int = 6
    lease: timedelta = timedelta(minutes=2)
    base_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: object) -> "Policy":
        return cls(grace_hours=getattr(settings, "grace_hours", 6.0),
                   max_attempts=getattr(settings, "delivery_max_attempts", 6),
                   lease=timedelta(seconds=getattr(settings, "sending_lease_seconds", 120.0)))

    def backoff(self, attempts: int, retry_after: float | None) -> timedelta:
        exponential = min(self.base_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return max(exponential, timedelta(seconds=retry_after or 0))


async def _delivery(session: AsyncSession, nudge_id: int) -> NudgeDelivery:
    row = await session.get(NudgeDelivery, nudge_id)
    if row is None:
        row = NudgeDelivery(nudge_id=nudge_id)
        session.add(row)
    return row


async def _claim(session: AsyncSession, nudge_id: int, now: datetime) -> str | None:
    """A conditional UPDATE: of two workers racing for one row, exactly one sees rowcount 1."""
    result = await session.exec(
        update(Nudge).where(col(Nudge.id) == nudge_id, col(Nudge.state).in_(CLAIMABLE))
        .values(state="sending", attempts=Nudge.attempts + 1))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    claim_id = uuid.uuid4().hex
    delivery = await _delivery(session, nudge_id)
    delivery.claim_id, delivery.claimed_at, delivery.not_before = claim_id, now, None
    session.add(delivery)
    return claim_id


async def claim_one(services: Services, nudge_id: int) -> str | None:
    async with services.db.session() as session:
        return await _claim(session, nudge_id, services.clock.now())


async def claim_due(services: Services, limit: int = 20) -> list[tuple[int, str]]:
    """Due rows, claimed. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets replicas take disjoint rows
    without waiting on each other; the conditional UPDATE is what guarantees one winner anyway."""
    now = services.clock.now()
    async with services.db.session() as session:
        query = (select(Nudge.id).outerjoin(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
                 .where(col(Nudge.state).in_(CLAIMABLE), col(Nudge.due_at) <= now,
                        or_(col(NudgeDelivery.not_before).is_(None), col(NudgeDelivery.not_before) <= now))
                 .order_by(col(Nudge.due_at), col(Nudge.id)).limit(limit))
        if not is_sqlite(services.db.url):
            query = query.with_for_update(of=Nudge, skip_locked=True)  # type: ignore[arg-type]
        ids = list((await session.exec(query)).all())
        claimed = []
        for nudge_id in ids:
            claim_id = await _claim(session, nudge_id, now)
            if claim_id:
                claimed.append((nudge_id, claim_id))
    return claimed


async def _ours(session: AsyncSession, nudge_id: int, claim_id: str) -> tuple[Nudge, NudgeDelivery] | None:
    nudge = await session.get(Nudge, nudge_id, with_for_update=False)
    delivery = await session.get(NudgeDelivery, nudge_id)
    if nudge is None or delivery is None or nudge.state != "sending" or delivery.claim_id != claim_id:
        return None
    return nudge, delivery


async def _why_not_now(session: AsyncSession, services: Services, policy: Policy, nudge: Nudge,
                       leader: Person, workspace: Workspace, *, scheduled: bool = True) -> tuple[str, str] | None:
    """(state, reason) when a nudge must not go out now. An unscheduled send (an admin's "now")
    skips the timing rules but never a person's own opt-out, snooze, vacation or skipped week."""
    held = held_reason(leader, workspace)
    if held:
        return "held", held
    now = services.clock.now()
    hours = hours_of(leader)
    paused = await pause_covering(session, leader, now.astimezone(hours.zone).date())
    if paused is not None:
        return "held", f"{paused.kind} until {paused.ends_on.isoformat()}"
    if not scheduled:
        return None
    schedule = await session.get(CampaignSchedule, nudge.campaign_id)
    grace = schedule.grace_hours if schedule and schedule.grace_hours is not None else policy.grace_hours
    late = working_hours_between(nudge.due_at, now, hours)
    if late > grace:
        return "missed", (f"missed: due {nudge.due_at.isoformat(timespec='minutes')}, "
                          f"{late:.1f} working hours late (grace {grace:g}); not sent")
    return None


async def deliver_claimed(services: Services, nudge_id: int, claim_id: str, policy: Policy = Policy(),
                          *, scheduled: bool = True) -> Nudge | None:
    """Sends one claimed nudge and records the outcome, only while the claim is still ours."""
    async with services.db.session() as session:
        owned = await _ours(session, nudge_id, claim_id)
        if owned is None:
            return None
        nudge, _ = owned
        leader = await session.get(Person, nudge.leader_id)
        workspace = await session.get(Workspace, nudge.workspace_id)
        assert leader is not None and workspace is not None
        stop = await _why_not_now(session, services, policy, nudge, leader, workspace, scheduled=scheduled)
        if stop is not None:
            nudge.state, nudge.last_error = stop
            nudge.attempts -= 1  # nothing was attempted
            session.add(nudge)
            return nudge
        try:
            prompt = prompt_in(services.packs[nudge.pack], nudge.prompt_id)
        except (KeyError, LookupError):
            nudge.state = "failed"
            nudge.last_error = f"prompt {nudge.prompt_id!r} of pack {nudge.pack!r} is no longer installed"
            session.add(nudge)
            return nudge
        message = compose.nudge_message(services.copy, prompt, nudge_id)
        user_id, workspace_id = leader.platform_user_id, nudge.workspace_id
        renewed = await session.exec(  # the lease runs from the send, and only while the claim is ours
            update(NudgeDelivery).where(col(NudgeDelivery.nudge_id) == nudge_id, col(NudgeDelivery.claim_id) == claim_id)
            .values(claimed_at=services.clock.now()))
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            return None
    try:
        sent = await send_marked(services.platform(workspace_id), workspace_id, user_id, message, marker_for(nudge_id))
    except UnknownPlatform as exc:
        return await _record_failure(services, policy, nudge_id, claim_id, DeliveryError(str(exc), permanent=False))
    except DeliveryError as exc:
        return await _record_failure(services, policy, nudge_id, claim_id, exc)
    return await record_sent(services, nudge_id, claim_id, sent)


async def record_sent(services: Services, nudge_id: int, claim_id: str, sent: Sent, note: str | None = None) -> Nudge | None:
    async with services.db.session() as session:
        owned = await _ours(session, nudge_id, claim_id)
        if owned is None:
            log.error("nudge %s was sent but its claim moved on; not recording twice", nudge_id)
            return None
        nudge, delivery = owned
        nudge.state, nudge.sent_at = "sent", services.clock.now()
        nudge.channel_id, nudge.platform_message_id = sent.channel_id, sent.message_id
        if note:
            delivery.note = note
            session.add(delivery)
        session.add(nudge)
    services.metrics.inc("gofirst_nudges_delivered_total", outcome="recovered" if note else "sent")
    return nudge


async def _record_failure(services: Services, policy: Policy, nudge_id: int, claim_id: str,
                          exc: DeliveryError) -> Nudge | None:
    now = services.clock.now()
    async with services.db.session() as session:
        owned = await _ours(session, nudge_id, claim_id)
        if owned is None:
            return None
        nudge, delivery = owned
        nudge.last_error = exc.reason[:500]
        if exc.permanent:
            nudge.state = "failed"
            leader = await session.get(Person, nudge.leader_id)
            workspace = await session.get(Workspace, nudge.workspace_id)
            if exc.scope == "person" and leader is not None:
                leader.inactive_reason = exc.reason[:200]
                session.add(leader)
            elif exc.scope == "workspace" and workspace is not None:
                workspace.active = False
                session.add(workspace)
        elif nudge.attempts >= policy.max_attempts:
            nudge.state = "failed"
            nudge.last_error = f"gave up after {nudge.attempts} attempts: {exc.reason}"[:500]
        else:
            nudge.state = "retry"
            delivery.not_before = now + policy.backoff(nudge.attempts, exc.retry_after)
            session.add(delivery)
        session.add(nudge)
        log.warning("nudge %s not delivered (%s): %s", nudge_id, nudge.state, exc.reason)
    services.metrics.inc("gofirst_nudges_delivered_total", outcome=nudge.state)
    return nudge


async def recover_stuck(services: Services, policy: Policy = Policy()) -> int:
    """Rows left in `sending` by a crashed worker: ask the platform whether the message exists.
    Found → recorded as sent; not found → retried; platform can't tell → `unknown` (not resent)."""
    now = services.clock.now()
    async with services.db.session() as session:
        query = (select(Nudge.id, NudgeDelivery.claim_id)
                 .join(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
                 .where(col(Nudge.state) == "sending", col(NudgeDelivery.claimed_at) < now - policy.lease))
        stuck = list((await session.exec(query)).all())
    recovered = 0
    for nudge_id, old_claim in stuck:
        async with services.db.session() as session:
            taken = await session.exec(
                update(NudgeDelivery).where(col(NudgeDelivery.nudge_id) == nudge_id,
                                            col(NudgeDelivery.claim_id) == old_claim)
                .values(claim_id=(claim_id := uuid.uuid4().hex), claimed_at=now))
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another replica is recovering it
            nudge = await session.get(Nudge, nudge_id)
            leader = await session.get(Person, nudge.leader_id) if nudge else None
            assert nudge is not None and leader is not None
            workspace_id, user_id = nudge.workspace_id, leader.platform_user_id
        recovered += await _resolve(services, nudge_id, claim_id, workspace_id, user_id)
    return recovered


async def _mark_unknown(services: Services, nudge_id: int, claim_id: str, why: str) -> None:
    """At most once: a send that may or may not have arrived is left for an admin, never resent."""
    async with services.db.session() as session:
        owned = await _ours(session, nudge_id, claim_id)
        if owned:
            owned[0].state = "unknown"
            owned[0].last_error = f"interrupted while sending; {why}, so it is not resent: check with the leader"
            session.add(owned[0])


async def _resolve(services: Services, nudge_id: int, claim_id: str, workspace_id: str, user_id: str) -> int:
    try:
        platform = services.platform(workspace_id)
    except UnknownPlatform:
        return 0
    if not isinstance(platform, Traceable):
        await _mark_unknown(services, nudge_id, claim_id, "this platform cannot say whether it arrived")
        return 1
    try:
        found = await platform.find_sent(workspace_id, user_id, marker_for(nudge_id))
    except DeliveryError as exc:
        if exc.permanent:  # asking again won't help (a missing scope, the person is gone)
            await _mark_unknown(services, nudge_id, claim_id, f"the platform can't be asked ({exc.reason})")
            return 1
        log.warning("cannot check nudge %s after a crash yet: %s", nudge_id, exc.reason)
        return 0
    if found is not None:
        await record_sent(services, nudge_id, claim_id, found, note="recorded after a crash: the platform had it")
        return 1
    async with services.db.session() as session:
        owned = await _ours(session, nudge_id, claim_id)
        if owned:
            owned[0].state = "retry"  # it never went out: send it (the grace window still applies)
            session.add(owned[0])
    return 1
