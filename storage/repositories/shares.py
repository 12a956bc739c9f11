"""Shares and the replies under them."""
from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Reply, Share


async def share_for_thread(
    session: AsyncSession, workspace_id: str, channel_id: str, thread_id: str
) -> Share | None:
    query = select(Share).where(
        Share.workspace_id == workspace_id,
        Share.channel_id == channel_id,
        Share.platform_message_id == thread_id,
        Share.status == "posted",
    )
    return (await session.exec(query)).first()


async def reply_by_message(session: AsyncSession, workspace_id: str, message_id: str) -> Reply | None:
    query = select(Reply).where(Reply.workspace_id == workspace_id, Reply.platform_message_id == message_id)
    return (await session.exec(query)).first()


async def replies_for(session: AsyncSession, share_id: int) -> list[Reply]:
    query = select(Reply).where(Reply.share_id == share_id).order_by(col(Reply.created_at), col(Reply.id))
    return list((await session.exec(query)).all())


async def posted_shares(session: AsyncSession, leader_id: int, limit: int | None = None) -> list[Share]:
    query = (
        select(Share)
        .where(Share.leader_id == leader_id, Share.status == "posted")
        .order_by(col(Share.posted_at).desc())
    )
    if limit:
        query = query.limit(limit)
    return list((await session.exec(query)).all())


async def replies_for_shares(session: AsyncSession, share_ids: list[int]) -> list[Reply]:
    if not share_ids:
        return []
    query = select(Reply).where(col(Reply.share_id).in_(share_ids))
    return list((await session.exec(query)).all())
