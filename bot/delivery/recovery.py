"""After a crash: nudges left in `sending` by a dead worker. The platform is asked whether the
message exists (by its marker): found → recorded as sent; not found → retried; a platform that
can't tell → `unknown`, never resent (at most once)."""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import update
from sqlmodel import col, select

from bot.delivery import states
from bot.delivery.capability import Traceable, marker_for
from bot.delivery.record import ours, record_sent
from bot.delivery.policy import Policy
from bot.delivery.states import NudgeState
from bot.core.port import DeliveryError, UnknownPlatform
from bot.core.services import Services
from storage.tables import Nudge, Person
from storage.tables.scheduling import NudgeDelivery

log = logging.getLogger(__name__)


async def recover_stuck(services: Services, policy: Policy = Policy()) -> int:
    now = services.clock.now()
    async with services.db.session() as session:
        query = (select(Nudge.id, NudgeDelivery.claim_id)
                 .join(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
                 .where(col(Nudge.state) == NudgeState.SENDING, col(NudgeDelivery.claimed_at) < now - policy.lease))
        stuck = list((await session.exec(query)).all())
    recovered = 0
    for nudge_id, old_claim in stuck:
        assert nudge_id is not None
        async with services.db.session() as session:
            claim_id = uuid.uuid4().hex
            taken = await session.exec(
                update(NudgeDelivery).where(col(NudgeDelivery.nudge_id) == nudge_id,
                                            col(NudgeDelivery.claim_id) == old_claim)
                .values(claim_id=claim_id, claimed_at=now))
            if taken.rowcount != 1:
                continue  # another replica is recovering it
            nudge = await session.get(Nudge, nudge_id)
            leader = await session.get(Person, nudge.leader_id) if nudge else None
            assert nudge is not None and leader is not None
            workspace_id, user_id = nudge.workspace_id, leader.platform_user_id
        recovered += await _resolve(services, nudge_id, claim_id, workspace_id, user_id)
    return recovered


async def _settle(services: Services, nudge_id: int, claim_id: str, to: NudgeState, why: str | None = None) -> None:
    async with services.db.session() as session:
        owned = await ours(session, nudge_id, claim_id)
        if owned:
            states.move(owned[0], to, why)
            session.add(owned[0])


async def _resolve(services: Services, nudge_id: int, claim_id: str, workspace_id: str, user_id: str) -> int:
    try:
        platform = services.platform(workspace_id)
    except UnknownPlatform:
        return 0
    if not isinstance(platform, Traceable):
        await _settle(services, nudge_id, claim_id, NudgeState.UNKNOWN, unknown_reason(
            "this platform cannot say whether it arrived"))
        return 1
    try:
        found = await platform.find_sent(workspace_id, user_id, marker_for(nudge_id))
    except DeliveryError as exc:
        if exc.permanent:  # asking again won't help (a missing scope, the person is gone)
            await _settle(services, nudge_id, claim_id, NudgeState.UNKNOWN,
                          unknown_reason(f"the platform can't be asked ({exc.reason})"))
            return 1
        log.warning("cannot check nudge %s after a crash yet: %s", nudge_id, exc.reason)
        return 0
    if found is not None:
        await record_sent(services, nudge_id, claim_id, found, note="recorded after a crash: the platform had it")
        return 1
    await _settle(services, nudge_id, claim_id, NudgeState.RETRY)  # it never went out (grace still applies)
    return 1


def unknown_reason(why: str) -> str:
    return f"interrupted while sending; {why}, so it is not resent: check with the leader"
