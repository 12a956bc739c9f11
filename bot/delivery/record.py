"""Recording where claimed nudges landed, only while each claim is still ours. A batch's outcomes
are written in one session (one read of the rows, then the state changes), because a statement or
two per nudge was most of a fan-out's CPU. Every state change goes through `states.move`."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Sent
from bot.core.port import DeliveryError
from bot.core.services import Services
from bot.delivery import states
from bot.delivery.policy import Policy
from bot.delivery.states import NudgeState
from storage.tables import Nudge, Person, Workspace
from storage.tables.scheduling import NudgeDelivery

log = logging.getLogger(__name__)
Outcome = Sent | DeliveryError   # what one send came back with


async def owned(session: AsyncSession, claims: dict[int, str]) -> dict[int, tuple[Nudge, NudgeDelivery]]:
    """The rows of `claims` (nudge id → claim id) still `sending` under that claim, in one query."""
    if not claims:
        return {}
    query = (select(Nudge, NudgeDelivery).join(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
             .where(col(Nudge.id).in_(claims), col(Nudge.state) == NudgeState.SENDING))
    return {nudge.id: (nudge, delivery) for nudge, delivery in (await session.exec(query)).all()
            if nudge.id is not None and delivery.claim_id == claims[nudge.id]}


async def ours(session: AsyncSession, nudge_id: int, claim_id: str) -> tuple[Nudge, NudgeDelivery] | None:
    return (await owned(session, {nudge_id: claim_id})).get(nudge_id)


async def _apply_failure(session: AsyncSession, policy: Policy, nudge: Nudge, delivery: NudgeDelivery,
                         exc: DeliveryError, now: datetime) -> None:
    if exc.permanent:
        states.move(nudge, NudgeState.FAILED, exc.reason)
        if exc.scope == "person" and (leader := await session.get(Person, nudge.leader_id)) is not None:
            leader.inactive_reason = exc.reason[:200]
            session.add(leader)
        elif exc.scope == "workspace" and (workspace := await session.get(Workspace, nudge.workspace_id)) is not None:
            workspace.active = False
            session.add(workspace)
    elif nudge.attempts >= policy.max_attempts:
        states.move(nudge, NudgeState.FAILED, f"gave up after {nudge.attempts} attempts: {exc.reason}")
    else:
        states.move(nudge, NudgeState.RETRY, exc.reason)
        delivery.not_before = now + policy.backoff(nudge.attempts, exc.retry_after)
        session.add(delivery)


def _apply_sent(nudge: Nudge, delivery: NudgeDelivery, sent: Sent, now: datetime, note: str | None) -> None:
    states.move(nudge, NudgeState.SENT)
    nudge.sent_at = now
    nudge.channel_id, nudge.platform_message_id = sent.channel_id, sent.message_id
    if note:
        delivery.note = note


def _apply_unknown(nudge: Nudge, exc: DeliveryError) -> None:
    """The request left and no answer came: the nudge stays `sending`, and once its lease is over
    recovery asks the platform for its marker (found: sent; absent: retried; can't tell: unknown).
    Never a blind second send."""
    nudge.last_error = f"{exc.reason}; checked by its marker before anything is sent again"[:500]


def _metric_and_log(services: Services, nudge: Nudge, outcome: Outcome, note: str | None) -> None:
    if isinstance(outcome, Sent):
        services.metrics.inc("gofirst_nudges_delivered_total", outcome="recovered" if note else "sent")
    elif outcome.outcome_unknown:
        log.warning("nudge %s: outcome unknown (%s); recovery will look it up", nudge.id, outcome.reason)
        services.metrics.inc("gofirst_nudges_delivered_total", outcome="unknown_outcome")
    else:
        log.warning("nudge %s not delivered (%s): %s", nudge.id, nudge.state, outcome.reason)
        services.metrics.inc("gofirst_nudges_delivered_total", outcome=nudge.state)


async def record_outcomes(services: Services, policy: Policy, outcomes: list[tuple[int, str, Outcome]],
                          note: str | None = None) -> dict[int, Nudge | None]:
    """Each (nudge id, claim id, outcome) written in one session; None for a row whose claim moved on."""
    if not outcomes:
        return {}
    now, done = services.clock.now(), dict[int, Nudge | None]()
    async with services.db.session() as session:
        rows = await owned(session, {nudge_id: claim_id for nudge_id, claim_id, _ in outcomes})
        for nudge_id, _, outcome in outcomes:
            row = rows.get(nudge_id)
            done[nudge_id] = row[0] if row else None
            if row is None:
                if isinstance(outcome, Sent):
                    log.error("nudge %s was sent but its claim moved on; not recording twice", nudge_id)
                continue
            nudge, delivery = row
            if isinstance(outcome, Sent):
                _apply_sent(nudge, delivery, outcome, now, note)
            elif outcome.outcome_unknown:
                _apply_unknown(nudge, outcome)
            else:
                await _apply_failure(session, policy, nudge, delivery, outcome, now)
    for nudge_id, _, outcome in outcomes:
        if (recorded := done[nudge_id]) is not None:
            _metric_and_log(services, recorded, outcome, note)
    return done


async def record_sent(services: Services, nudge_id: int, claim_id: str, sent: Sent, note: str | None = None) -> Nudge | None:
    return (await record_outcomes(services, Policy(), [(nudge_id, claim_id, sent)], note))[nudge_id]
