"""Sending claimed nudges a batch at a time: one session loads the batch's rows and everything
deciding and composing need (a query per table, not a dozen statements per nudge), renews their
leases and commits before any platform call; the sends go out a few at a time; one session records
every outcome (record.py). Whether a nudge may go now is still the pure `policy.send_decision`."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import compose
from bot.core.messages import Message
from bot.core.port import DeliveryError, UnknownPlatform
from bot.core.services import Services
from bot.delivery import states
from bot.delivery.capability import marker_for, send_marked
from bot.delivery.followups import last_weeks
from bot.delivery.policy import Policy, SendFacts, held_reason, send_decision
from bot.delivery.prompts import prompt_for
from bot.delivery.record import Outcome, record_outcomes
from bot.delivery.states import NudgeState
from bot.scheduling.people import hours_of, pauses_covering
from storage.tables import Nudge, Person, Workspace
from storage.tables.scheduling import CampaignSchedule, NudgeDelivery

log = logging.getLogger(__name__)
T = TypeVar("T")
LOCKED_TRIES = 5


async def unlocked(work: Callable[[], Awaitable[T]]) -> T:
    """`work` (one transaction) again when SQLite refused it as locked: in WAL mode a transaction
    that read and then writes fails at once if another writer committed in between, and with a
    few dozen lanes that happens. Its transaction was rolled back, so trying again is safe; giving
    up after the claim left rows `sending` (a Teams nudge then ends `unknown`, Slack's is looked
    up by its marker)."""
    for attempt in range(LOCKED_TRIES):
        try:
            return await work()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == LOCKED_TRIES - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Ready:
    """A claimed nudge that may go now, with everything its send needs (no session held)."""

    nudge_id: int
    claim_id: str
    workspace_id: str
    user_id: str
    message: Message


Row = tuple[Nudge, NudgeDelivery, Person, Workspace]


async def _rows(session: AsyncSession, claims: dict[int, str]) -> list[Row]:
    query = (select(Nudge, NudgeDelivery, Person, Workspace)
             .join(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
             .join(Person, col(Person.id) == col(Nudge.leader_id))
             .join(Workspace, col(Workspace.id) == col(Nudge.workspace_id))
             .where(col(Nudge.id).in_(claims), col(Nudge.state) == NudgeState.SENDING))
    return [(n, d, p, w) for n, d, p, w in (await session.exec(query)).all()
            if n.id is not None and d.claim_id == claims[n.id]]


async def _facts(session: AsyncSession, services: Services, policy: Policy, rows: list[Row],
                 scheduled: bool) -> dict[int, SendFacts]:
    now = services.clock.now()
    hours = {n.id: hours_of(p) for n, _, p, _ in rows}
    pauses = await pauses_covering(session, {p.id: now.astimezone(hours[n.id].zone).date()
                                             for n, _, p, _ in rows if p.id is not None})
    graces = dict((await session.exec(select(CampaignSchedule.campaign_id, CampaignSchedule.grace_hours).where(
        col(CampaignSchedule.campaign_id).in_({n.campaign_id for n, _, _, _ in rows})))).all())
    facts = {}
    for nudge, _, leader, workspace in rows:
        assert nudge.id is not None
        paused, grace = pauses.get(leader.id or -1), graces.get(nudge.campaign_id)
        facts[nudge.id] = SendFacts(now=now, due_at=nudge.due_at, hours=hours[nudge.id],
                                    held=held_reason(leader, workspace),
                                    pause=(paused.kind, paused.ends_on) if paused else None,
                                    grace_hours=grace if grace is not None else policy.grace_hours,
                                    scheduled=scheduled)
    return facts


def _not_now(nudge: Nudge, delivery: NudgeDelivery, facts: SendFacts) -> bool:
    """Applies the policy's "not now" (held, missed, outside working hours): True if it said so."""
    stop = send_decision(facts)
    if stop is None:
        return False
    states.move(nudge, *stop)
    nudge.attempts -= 1  # nothing was attempted
    if stop.not_before is not None:  # outside working hours: not claimed again until then
        delivery.not_before = stop.not_before
    return True


async def _prepare(services: Services, claims: dict[int, str], policy: Policy, scheduled: bool,
                   done: dict[int, Nudge | None]) -> list[Ready]:
    """Decides and composes the whole batch in one session; rows that may not go now are recorded
    in `done`. Leases are renewed (only while the claim is ours) and committed before any send."""
    ready: list[Ready] = []
    async with services.db.session() as session:
        rows = await _rows(session, claims)
        facts = await _facts(session, services, policy, rows, scheduled)
        lasts = await last_weeks(services, session, [(n, p) for n, _, p, _ in rows
                                                     if not send_decision(facts[n.id or -1])])
        for nudge, delivery, leader, _ in rows:
            assert nudge.id is not None
            if _not_now(nudge, delivery, facts[nudge.id]):
                done[nudge.id] = nudge
                continue
            try:
                prompt = prompt_for(services, nudge.pack, nudge.prompt_id, leader.locale)
            except (KeyError, LookupError):
                states.move(nudge, NudgeState.FAILED,
                            f"prompt {nudge.prompt_id!r} of pack {nudge.pack!r} is no longer installed")
                done[nudge.id] = nudge
                continue
            message = compose.nudge_message(services.words(leader.locale), prompt, nudge.id, lasts.get(nudge.id))
            ready.append(Ready(nudge.id, claims[nudge.id], nudge.workspace_id, leader.platform_user_id, message))
        if ready:  # the lease runs from the send, and only while the claim is ours
            renewed = set((await session.exec(
                update(NudgeDelivery).where(col(NudgeDelivery.nudge_id).in_([r.nudge_id for r in ready]),
                                            col(NudgeDelivery.claim_id).in_({r.claim_id for r in ready}))
                .values(claimed_at=services.clock.now()).returning(col(NudgeDelivery.nudge_id)))).scalars())
            ready = [r for r in ready if r.nudge_id in renewed]
    return ready


async def _send(services: Services, item: Ready) -> Outcome | None:
    """The platform's answer, a DeliveryError, or None when something unexpected broke: that row
    stays `sending`, and recovery asks the platform after its lease instead of guessing."""
    try:
        return await send_marked(services.platform(item.workspace_id), item.workspace_id, item.user_id,
                                 item.message, marker_for(item.nudge_id))
    except UnknownPlatform as exc:
        return DeliveryError(str(exc), permanent=False)
    except DeliveryError as exc:
        return exc
    except Exception as exc:
        log.error("delivery of nudge %s in %s failed: %r", item.nudge_id, item.workspace_id, exc)
        return None


async def deliver_batch(services: Services, claimed: list[tuple[int, str]], policy: Policy = Policy(),
                        *, scheduled: bool = True, in_flight: int = 4) -> list[Nudge | None]:
    """Sends claimed (nudge id, claim id) rows and records the outcomes, in the claim's order;
    None for a row that is not ours any more (or was left for recovery). The first send goes
    alone: a throttled or uninstalled workspace answers it before more sends are in flight."""
    done: dict[int, Nudge | None] = {nudge_id: None for nudge_id, _ in claimed}
    ready = await unlocked(lambda: _prepare(services, dict(claimed), policy, scheduled, done))
    gate = asyncio.Semaphore(in_flight)

    async def one(item: Ready) -> Outcome | None:
        async with gate:
            return await _send(services, item)

    outcomes = [await _send(services, ready[0])] if ready else []
    outcomes += await asyncio.gather(*(one(item) for item in ready[1:]))
    results = [(r.nudge_id, r.claim_id, o) for r, o in zip(ready, outcomes) if o is not None]
    done.update(await unlocked(lambda: record_outcomes(services, policy, results)))
    return [done[nudge_id] for nudge_id, _ in claimed]


async def deliver_claimed(services: Services, nudge_id: int, claim_id: str, policy: Policy = Policy(),
                          *, scheduled: bool = True) -> Nudge | None:
    """Sends one claimed nudge and records the outcome, only while the claim is still ours."""
    return (await deliver_batch(services, [(nudge_id, claim_id)], policy, scheduled=scheduled))[0]
