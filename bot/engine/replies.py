"""Team replies under a share, the digest to the leader, and the leader's answers (closing the loop)."""
from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import classify_themes
from bot.engine import compose
from bot.engine.events import ChannelReplyPosted, ReplyDeleted, ReplyEdited
from bot.engine.messages import Form, Message
from bot.engine.port import DeliveryError
from bot.engine.people import person_for
from bot.engine.progress import load_streak
from bot.engine.services import Services
from bot.engine.shares import dm, dm_text
from storage.repositories.shares import replies_for, reply_by_message, share_for_thread
from storage.tables import Person, Reply, Share

log = logging.getLogger(__name__)


async def record_reply(services: Services, session: AsyncSession, event: ChannelReplyPosted) -> Reply | None:
    """Stores a reply under its share once; replies in other threads are none of our business."""
    share = await share_for_thread(session, event.workspace_id, event.channel_id, event.thread_id)
    if share is None:
        return None
    existing = await reply_by_message(session, event.workspace_id, event.message_id)
    if existing is not None:
        return existing
    author = await person_for(services, session, event.workspace_id, event.user_id)
    is_leader = author.id == share.leader_id
    reply = Reply(workspace_id=event.workspace_id, share_id=share.id or 0, author_id=author.id,
                  is_leader=is_leader, platform_message_id=event.message_id, text=event.text,
                  themes=[] if is_leader else classify_themes(event.text))
    try:
        async with session.begin_nested():
            session.add(reply)
    except IntegrityError:  # the same message raced in twice: the first one stands
        return await reply_by_message(session, event.workspace_id, event.message_id)
    return reply


async def edit_reply(services: Services, session: AsyncSession, event: ReplyEdited) -> bool:
    reply = await reply_by_message(session, event.workspace_id, event.message_id)
    if reply is None:
        return False
    reply.text, reply.updated_at = event.text, services.clock.now()
    reply.themes = [] if reply.is_leader else classify_themes(event.text)
    session.add(reply)
    return True


async def delete_reply(session: AsyncSession, event: ReplyDeleted) -> bool:
    reply = await reply_by_message(session, event.workspace_id, event.message_id)
    if reply is None:
        return False
    await session.delete(reply)
    return True


async def author_name(session: AsyncSession, reply: Reply) -> str:
    author = await session.get(Person, reply.author_id) if reply.author_id else None
    return author.display_name if author else "?"


async def named_replies(session: AsyncSession, share: Share) -> list[tuple[Reply, str]]:
    """Team replies with their authors' names, the leader's own answers left out."""
    assert share.id is not None
    named = []
    for reply in await replies_for(session, share.id):
        if reply.is_leader:
            continue
        named.append((reply, await author_name(session, reply)))
    return named


async def send_digest(services: Services, share_id: int) -> bool:
    """DMs the leader every reply so far with a button to answer each one."""
    async with services.db.session() as session:
        share = await session.get(Share, share_id)
        if share is None or share.status != "posted":
            return False
        leader = await session.get(Person, share.leader_id)
        assert leader is not None
        message = compose.digest_message(services.copy, share, await named_replies(session, share))
        try:
            await services.platform(share.workspace_id).send_dm(share.workspace_id, leader.platform_user_id, message)
        except DeliveryError as exc:
            log.warning("digest for share %s not delivered: %s", share_id, exc.reason)
            return False
        share.digest_sent_at = services.clock.now()
        session.add(share)
        return True


async def open_answer_form(services: Services, session: AsyncSession, person: Person, value: str,
                           trigger: str | None) -> None:
    reply = await session.get(Reply, int(value)) if value.isdigit() else None
    share = await session.get(Share, reply.share_id) if reply else None
    if reply is None or share is None or share.leader_id != person.id:
        await dm(services, person, "answer.not_found")
        return
    form = compose.answer_form(services.copy, reply, await author_name(session, reply))
    await services.platform(person.workspace_id).open_form(person.workspace_id, person.platform_user_id,
                                                          form, trigger)


async def submit_answer(services: Services, session: AsyncSession, person: Person, values: dict[str, str],
                        context: str) -> Form | None:
    """Posts the leader's answer in the share's thread, records it as theirs, and reports the streak."""
    reply = await session.get(Reply, int(context)) if context.isdigit() else None
    share = await session.get(Share, reply.share_id) if reply else None
    if reply is None or share is None or share.leader_id != person.id or not share.channel_id:
        await dm(services, person, "answer.not_found")
        return None
    text = values.get("answer", "").strip()
    if not text:
        form = compose.answer_form(services.copy, reply, await author_name(session, reply))
        return compose.with_errors(form, {"answer": services.copy("answer.form.empty")})
    message = Message(kind="answer", text=text,
                      context=services.copy("answer.posted_by", leader=person.display_name))
    try:
        sent = await services.platform(person.workspace_id).post(
            person.workspace_id, share.channel_id, message, thread_id=share.platform_message_id)
    except DeliveryError as exc:
        log.warning("answer to reply %s not posted: %s", reply.id, exc.reason)
        await dm(services, person, "share.post_failed", channel=share.channel_id)
        return None
    session.add(Reply(workspace_id=person.workspace_id, share_id=share.id or 0, author_id=person.id,
                      is_leader=True, platform_message_id=sent.message_id, text=text))
    await session.flush()
    streak = await load_streak(session, person, services.clock.now())
    await dm_text(services, person, services.copy.count("answer.done", streak.current))
    return None
