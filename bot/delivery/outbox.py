"""The durable nudge outbox: which workspaces have nudges due, and claiming them. Sending and
recording are batch.py's and record.py's.

`sending` is committed with a fresh claim id *before* the platform call, so a crash leaves a trace
that recovery (recovery.py) finds instead of a second message."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.states import OPEN, NudgeState
from bot.core.services import Services
from storage.db import is_sqlite
from storage.tables import Nudge
from storage.tables.scheduling import NudgeDelivery



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


async def next_due(services: Services, workspace_id: str) -> datetime | None:
    """When the workspace's next open nudge may be claimed (due and past any `not_before`), if any."""
    start = case((col(NudgeDelivery.not_before) > col(Nudge.due_at), col(NudgeDelivery.not_before)),
                 else_=col(Nudge.due_at))
    query = (select(func.min(start)).select_from(Nudge)
             .outerjoin(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
             .where(col(Nudge.workspace_id) == workspace_id, col(Nudge.state).in_(OPEN)))
    async with services.db.session() as session:
        return (await session.exec(query)).one()
