"""Team replies under a share, and the leader's answers to them (closing the loop)."""
from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import check_answer, classify_themes
from bot.delivery import posts
from bot.core import compose
from bot.engine import effects
from bot.engine.shares import coach_note
from bot.core.events import ChannelReplyPosted, ReplyDeleted, ReplyEdited
from bot.core.messages import Form, Message, Sent
from bot.engine.people import person_for
from bot.core.port import DeliveryError
from bot.core.progress import load_streak
from bot.core.services import Services
from storage.db import after_commit
from storage.repositories.shares import reply_by_message, share_for_thread
from storage.tables import Person, Reply, Share
from storage.tables.outbox import OutboxPost

ANSWER = "answer"


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
    now = services.clock.now()
    reply = Reply(workspace_id=event.workspace_id, share_id=share.id or 0, author_id=author.id,
                  is_leader=is_leader, platform_message_id=event.message_id, text=event.text,
                  themes=themes_of(author, is_leader, event.text), created_at=now, updated_at=now)
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
    author = await session.get(Person, reply.author_id) if reply.author_id else None
    reply.text, reply.updated_at = event.text, services.clock.now()
    reply.themes = themes_of(author, reply.is_leader, event.text)
    session.add(reply)
    return True


def themes_of(author: Person | None, is_leader: bool, text: str) -> list[str]:
    """A teammate's barrier themes, for HR's anonymous counts; none for someone who opted out of analysis."""
    if is_leader or author is None or author.analysis_opted_out:
        return []
    return classify_themes(text, author.locale or "en")


async def delete_reply(session: AsyncSession, event: ReplyDeleted) -> bool:
    reply = await reply_by_message(session, event.workspace_id, event.message_id)
    if reply is None:
        return False
    await session.delete(reply)
    return True


async def author_name(session: AsyncSession, reply: Reply) -> str:
    author = await session.get(Person, reply.author_id) if reply.author_id else None
    return author.display_name if author else "?"


async def open_answer_form(services: Services, session: AsyncSession, person: Person, value: str,
                           trigger: str | None) -> None:
    reply = await session.get(Reply, int(value)) if value.isdigit() else None
    share = await session.get(Share, reply.share_id) if reply else None
    if reply is None or share is None or share.leader_id != person.id:
        effects.dm(services, session, person, "answer.not_found")
        return
    advice = check_answer("", reply.themes, services.copy.locale).advice
    form = compose.answer_form(services.copy, reply, await author_name(session, reply), advice)
    effects.open_form(services, session, person, form, trigger)


async def coached_answer_form(services: Services, session: AsyncSession, reply: Reply, text: str,
                              context: str, seen: str) -> Form | None:
    """The answer form again while the answer reads as an order ("You must make time for it, no
    exceptions") and its findings were not yet shown for these words: the findings under the answer,
    the advice for the barrier the teammate named above it. The same words sent again are posted."""
    check = check_answer(text, reply.themes, services.copy.locale)
    if not check.directive or seen == compose.words_mark({"answer": text}):
        return None
    findings = [coach_note(f.text, f.why) for f in check.findings if f.text]
    return compose.answer_form(services.copy, reply, await author_name(session, reply), check.advice, text,
                               findings, compose.seen_context(context, {"answer": text}))


async def submit_answer(services: Services, session: AsyncSession, person: Person, values: dict[str, str],
                        context: str) -> Form | None:
    """Records the leader's answer for the share's thread, once per reply and text (a double submit
    posts it once); the outbox posts it after the commit and `AnswerOutcome` reports the streak.
    An answer that reads as an order is first shown back with the coach's notes: nothing is posted
    and no streak earned until the leader changes it or sends it as it is."""
    context, seen = compose.split_seen(context)
    reply = await session.get(Reply, int(context)) if context.isdigit() else None
    share = await session.get(Share, reply.share_id) if reply else None
    if reply is None or share is None or share.leader_id != person.id or not share.channel_id:
        effects.dm(services, session, person, "answer.not_found")
        return None
    text = values.get("answer", "").strip()
    if not text:
        advice = check_answer("", reply.themes, services.copy.locale).advice
        form = compose.answer_form(services.copy, reply, await author_name(session, reply), advice)
        return compose.with_errors(form, {"answer": services.copy("answer.form.empty")})
    coached = await coached_answer_form(services, session, reply, text, context, seen)
    if coached is not None:
        return coached
    message = Message(kind="answer", text=text, context=services.copy("answer.posted_by", leader=person.display_name))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert reply.id is not None and person.id is not None
    post = await posts.enqueue(session, workspace_id=person.workspace_id, kind=ANSWER,
                               key=f"answer:{reply.id}:{digest}", subject_id=reply.id, person_id=person.id,
                               to=posts.Target(share.channel_id, thread_id=share.platform_message_id),
                               message=message, extra={"share_id": share.id, "channel": share.channel_id})
    if post is None:
        effects.dm(services, session, person, "answer.already_sent")
        return None
    post_id = post.id
    assert post_id is not None
    after_commit(session, lambda: posts.dispatch(services, post_id))
    return None


class AnswerOutcome:
    """The answer is in the thread: it counts as the leader's reply, and they hear their streak."""

    async def sent(self, services: Services, session: AsyncSession, post: OutboxPost, where: Sent) -> None:
        person = await session.get(Person, post.person_id)
        if person is None:
            return
        now = services.clock.now()
        session.add(Reply(workspace_id=post.workspace_id, share_id=int(post.extra["share_id"]), author_id=person.id,
                          is_leader=True, platform_message_id=where.message_id, text=str(post.message.get("text", "")),
                          created_at=now, updated_at=now))
        await session.flush()
        streak = await load_streak(session, person, services.clock.now())
        effects.dm_text(services, session, person, services.copy.count("answer.done", streak.current))

    async def failed(self, services: Services, session: AsyncSession, post: OutboxPost, error: DeliveryError) -> None:
        person = await session.get(Person, post.person_id)
        if person is not None:
            effects.dm(services, session, person, "share.post_failed", channel=post.extra.get("channel", post.target))

    async def unknown(self, services: Services, session: AsyncSession, post: OutboxPost) -> None:
        person = await session.get(Person, post.person_id)
        if person is not None:
            effects.dm(services, session, person, "answer.unconfirmed")
