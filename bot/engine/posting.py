"""Posting a previewed share to its team's channel, exactly once. The click records the post in the
delivery outbox (draft → posting, committed); the outbox sends it after the commit; `ShareOutcome`
says what the answer means: the share is posted and its nudge closed, or back to a draft."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import posts
from bot.delivery.states import NudgeState
from bot.core import compose
from bot.engine import effects
from bot.engine.controls import audit
from bot.core.messages import Sent
from bot.engine.nudges import close_nudge
from bot.core.port import DeliveryError
from bot.core.progress import local_week
from bot.core.services import Services
from bot.engine.shares import channel_label
from storage.db import after_commit
from storage.repositories.people import team_by_channel
from storage.tables import Nudge, Person, Share, Team
from storage.tables.outbox import OutboxPost

SHARE_POST = "share_post"


async def post_share(services: Services, session: AsyncSession, person: Person, value: str,
                     settle: Sent | None = None) -> None:
    """Posts a previewed draft to its channel, once: a second click finds it already on its way."""
    share = await session.get(Share, int(value)) if value.isdigit() else None
    if share is None or share.leader_id != person.id or not share.channel_id or \
            share.status not in ("draft", "posting", "posted"):
        effects.dm(services, session, person, "share.nothing_to_post")
        return
    team = await team_by_channel(session, person.workspace_id, share.channel_id)
    label = channel_label(team, share.channel_id)
    if share.status == "posted":  # a second click, a retried request
        effects.dm(services, session, person, "share.already_posted", channel=label)
        return
    claimed = await session.exec(update(Share).where(col(Share.id) == share.id, col(Share.status) == "draft")
                                 .values(status="posting"))
    post = None
    if claimed.rowcount == 1:
        assert share.id is not None and person.id is not None
        post = await posts.enqueue(
            session, workspace_id=person.workspace_id, kind=SHARE_POST, key=f"share:{share.id}", subject_id=share.id,
            person_id=person.id, to=posts.Target(share.channel_id),
            message=compose.share_post_message(services.copy, share, person),
            extra={"settle": [settle.channel_id, settle.message_id] if settle else None, "channel": label})
    if post is None:
        if claimed.rowcount == 1:
            share.status = "draft"  # nothing new was recorded: leave the draft as it was
            session.add(share)
        effects.dm(services, session, person, "share.already_posting", channel=label)
        return
    post_id = post.id
    assert post_id is not None
    after_commit(session, lambda: posts.dispatch(services, post_id))


class ShareOutcome:
    """What the platform's answer to a share post means."""

    async def sent(self, services: Services, session: AsyncSession, post: OutboxPost, where: Sent) -> None:
        share = await session.get(Share, post.subject_id)
        person = await session.get(Person, post.person_id)
        if share is None or person is None:
            return
        now = services.clock.now()
        share.status, share.posted_at, share.week = "posted", now, local_week(person, now)
        share.platform_message_id = where.message_id
        team = await team_by_channel(session, person.workspace_id, post.target)
        if team is None:
            team = Team(workspace_id=person.workspace_id, name=post.target, leader_id=person.id, channel_id=post.target)
            session.add(team)
            await session.flush()
        share.team_id = team.id
        session.add(share)
        audit(session, person, "share.posted", share=share.id, channel=share.channel_id)
        if share.nudge_id:
            nudge = await session.get(Nudge, share.nudge_id)
            if nudge is not None:
                close_nudge(services, session, nudge, NudgeState.SHARED, "nudge.shared")
        effects.say(services, session, person, compose.posted_message(services.copy, share,
                                                                      channel_label(team, share.channel_id)))
        settle = post.extra.get("settle")
        if settle:
            effects.rewrite(services, session, person.workspace_id, Sent(*settle),
                            compose.info(services.copy, "share.preview.settled_posted"), "the preview")

    async def failed(self, services: Services, session: AsyncSession, post: OutboxPost, error: DeliveryError) -> None:
        person = await self._back_to_draft(session, post)
        if person is not None:
            key = "share.channel_unreachable" if error.scope == "channel" else "share.post_failed"
            effects.dm(services, session, person, key, channel=post.extra.get("channel", post.target))

    async def unknown(self, services: Services, session: AsyncSession, post: OutboxPost) -> None:
        """At most once: the leader looks and decides, GoFirst doesn't guess."""
        person = await self._back_to_draft(session, post)
        if person is not None:
            effects.dm(services, session, person, "share.unconfirmed", channel=post.extra.get("channel", post.target))

    @staticmethod
    async def _back_to_draft(session: AsyncSession, post: OutboxPost) -> Person | None:
        share = await session.get(Share, post.subject_id)
        if share is not None and share.status == "posting":
            share.status = "draft"
            session.add(share)
        return await session.get(Person, post.person_id)
