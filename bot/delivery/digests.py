"""The digest: every reply to a share so far, DMed to its leader with a button to answer each one.
Through the post outbox, once per share and number of replies, so a second press sends nothing."""
from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import posts
from bot.core import compose
from bot.core.messages import Sent
from bot.core.port import DeliveryError
from bot.core.services import Services
from storage.repositories.shares import replies_for
from storage.tables import Person, Reply, Share
from storage.tables.outbox import OutboxPost

log = logging.getLogger(__name__)
DIGEST = "digest"


async def named_replies(session: AsyncSession, share: Share) -> list[tuple[Reply, str]]:
    """Team replies with their authors' names, the leader's own answers left out."""
    assert share.id is not None
    named = []
    for reply in await replies_for(session, share.id):
        if reply.is_leader:
            continue
        author = await session.get(Person, reply.author_id) if reply.author_id else None
        named.append((reply, author.display_name if author else "?"))
    return named


async def send_digest(services: Services, share_id: int) -> bool:
    """Records the digest and sends it. False when there is no posted share, or when this digest
    (same share, same replies) went out already or is on its way."""
    async with services.db.session() as session:
        share = await session.get(Share, share_id)
        if share is None or share.status != "posted":
            return False
        leader = await session.get(Person, share.leader_id)
        assert leader is not None and leader.id is not None
        replies = await named_replies(session, share)
        post = await posts.enqueue(session, workspace_id=share.workspace_id, kind=DIGEST,
                                   key=f"digest:{share_id}:{len(replies)}", subject_id=share_id, person_id=leader.id,
                                   to=posts.Target(leader.platform_user_id, is_dm=True),
                                   message=compose.digest_message(services.copy, share, replies))
        post_id = post.id if post else None
    if post_id is None:
        return False
    await posts.dispatch(services, post_id)
    async with services.db.session() as session:
        sent = await session.get(OutboxPost, post_id)
        return sent is not None and sent.state == "sent"


class DigestOutcome:
    async def sent(self, services: Services, session: AsyncSession, post: OutboxPost, where: Sent) -> None:
        share = await session.get(Share, post.subject_id)
        if share is not None:
            share.digest_sent_at = services.clock.now()
            session.add(share)

    async def failed(self, services: Services, session: AsyncSession, post: OutboxPost, error: DeliveryError) -> None:
        log.warning("digest for share %s not delivered: %s", post.subject_id, error.reason)

    async def unknown(self, services: Services, session: AsyncSession, post: OutboxPost) -> None:
        log.warning("digest for share %s may or may not have arrived; not resent", post.subject_id)
