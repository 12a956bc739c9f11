"""HR's list of system barriers raised from digests, recorded once per share and theme (theme, team,
campaign, week; no person). The insights reports read the table in their own column query."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Nudge, Share
from storage.tables.raised import RaisedBarrier


async def raise_barrier(session: AsyncSession, share: Share, theme: str, now: datetime) -> bool:
    """Puts the theme on HR's list for this share; False when it is there already (a double click)."""
    nudge = await session.get(Nudge, share.nudge_id) if share.nudge_id else None
    row = RaisedBarrier(workspace_id=share.workspace_id, share_id=share.id, team_id=share.team_id,
                        campaign_id=nudge.campaign_id if nudge else None, week=share.week or "", theme=theme,
                        raised_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


async def raised_themes(session: AsyncSession, share_id: int) -> set[str]:
    """The themes already raised from this share (the digest offers the others)."""
    query = select(RaisedBarrier.theme).where(RaisedBarrier.share_id == share_id)
    return set((await session.exec(query)).all())

