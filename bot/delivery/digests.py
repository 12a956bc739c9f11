"""The digest: the replies to a share that the leader hasn't had yet, DMed with a button to answer
each one, through the post outbox. Its key names the newest reply and the private notes it holds,
so the same digest is recorded once however often it is asked for (a second press, a second
replica, a retried request), and new replies make a new one. When digests are due is
digest_schedule.py; this module knows what one holds."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import theme_label
from bot.core import compose
from bot.core.messages import Message, Sent, message_to_data
from bot.core.port import DeliveryError
from bot.core.services import Services
from bot.delivery import posts
from bot.delivery.followups import follow_up_for
from storage.repositories.raised import raised_themes
from storage.repositories.shares import replies_for
from storage.tables import Person, Reply, Share
from storage.tables.insights import BarrierAction
from storage.tables.loop import PrivateNote, PrivateNoteSender
from storage.tables.outbox import OutboxPost
from storage.tables.raised import RaisedBarrier

log = logging.getLogger(__name__)
DIGEST = "digest"
NOTES_AFTER = 3              # teammates who must have answered before private notes are shown
WINDOW = timedelta(days=14)  # digests are about this fortnight's shares, not last year's
RAISABLE = ("it_access", "policy", "system")  # barriers of the system, which a leader can raise with HR


@dataclass
class Pending:
    """What a share's next digest would hold, and what its earlier digests showed."""

    share: Share
    leader: Person
    new: list[tuple[Reply, str]] = field(default_factory=list)
    notes: list[PrivateNote] = field(default_factory=list)   # visible and not yet shown
    shown: int = 0                                           # replies earlier digests showed
    any_replies: bool = False
    last_at: datetime | None = None                          # the latest digest with replies
    quiet_sent: bool = False
    records: list[OutboxPost] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return bool(self.new or self.notes)

    @property
    def key(self) -> str:
        newest = max((reply.id or 0 for reply, _ in self.new), default=0)
        shown_notes = sum(len(p.extra.get("notes", [])) for p in self.live)
        return f"digest:{self.share.id}:r{newest}:n{shown_notes + len(self.notes)}"

    @property
    def live(self) -> list[OutboxPost]:
        return [p for p in self.records if p.state != "failed"]


async def names(session: AsyncSession, replies: list[Reply]) -> list[tuple[Reply, str]]:
    named = []
    for reply in replies:
        author = await session.get(Person, reply.author_id) if reply.author_id else None
        named.append((reply, author.display_name if author else "?"))
    return named


async def records_for(session: AsyncSession, share: Share) -> list[OutboxPost]:
    query = (select(OutboxPost).where(OutboxPost.workspace_id == share.workspace_id, OutboxPost.kind == DIGEST,
                                      OutboxPost.subject_id == share.id).order_by(col(OutboxPost.id)))
    return list((await session.exec(query)).all())


async def visible_notes(session: AsyncSession, share: Share, replies: list[Reply]) -> list[PrivateNote]:
    """Private notes, but only once enough teammates answered that none can be told apart."""
    senders = (await session.exec(select(PrivateNoteSender.person_id)
                                  .where(PrivateNoteSender.share_id == share.id))).all()
    answered = {r.author_id for r in replies if r.author_id is not None} | set(senders)
    if len(answered) < NOTES_AFTER:
        return []
    query = select(PrivateNote).where(PrivateNote.share_id == share.id).order_by(col(PrivateNote.told_on))
    return list((await session.exec(query)).all())


async def pending_digest(session: AsyncSession, share: Share) -> Pending:
    assert share.id is not None
    leader = await session.get(Person, share.leader_id)
    assert leader is not None
    replies = [r for r in await replies_for(session, share.id) if not r.is_leader]
    pending = Pending(share, leader, any_replies=bool(replies), records=await records_for(session, share))
    shown_replies = {i for p in pending.live for i in p.extra.get("replies", [])}
    shown_notes = {i for p in pending.live for i in p.extra.get("notes", [])}
    pending.new = await names(session, [r for r in replies if r.id not in shown_replies])
    pending.notes = [n for n in await visible_notes(session, share, replies) if n.id not in shown_notes]
    pending.shown = len([r for r in replies if r.id in shown_replies])
    pending.quiet_sent = any(p.extra.get("quiet") for p in pending.records)
    times = [datetime.fromisoformat(p.extra["at"]) for p in pending.live
             if p.extra.get("at") and not p.extra.get("quiet")]
    pending.last_at = max(times, default=None)
    return pending


async def raisable(services: Services, session: AsyncSession, share: Share, replies: list[Reply],
                   notes: list[PrivateNote]) -> list[tuple[str, str]]:
    """(theme, label) of each system barrier these replies and notes named that is not yet on HR's list."""
    assert share.id is not None
    named = {t for r in replies for t in r.themes} | {t for n in notes for t in n.themes}
    named -= await raised_themes(session, share.id)
    return [(t, theme_label(t, services.copy.locale)) for t in RAISABLE if t in named]


async def first_named(session: AsyncSession, leader: Person) -> dict[str, date]:
    """When the leader's teams first named each barrier theme: in a reply, privately or raised with HR."""
    replies = (select(col(Reply.themes), col(Reply.created_at)).join(Share, col(Share.id) == col(Reply.share_id))
               .where(Share.leader_id == leader.id, col(Reply.is_leader).is_(False)))
    notes = (select(col(PrivateNote.themes), col(PrivateNote.told_on))
             .join(Share, col(Share.id) == col(PrivateNote.share_id)).where(Share.leader_id == leader.id))
    raised = (select(col(RaisedBarrier.theme), col(RaisedBarrier.raised_at))
              .join(Share, col(Share.id) == col(RaisedBarrier.share_id)).where(Share.leader_id == leader.id))
    first: dict[str, date] = {}
    named: list[tuple[list[str], date | datetime]] = list((await session.exec(replies)).all())
    named += list((await session.exec(notes)).all())
    named += [([theme], when) for theme, when in (await session.exec(raised)).all()]
    for themes, when in named:
        day = when.date() if isinstance(when, datetime) else when
        for theme in themes:
            first[theme] = min(first.get(theme, day), day)
    return first


async def hr_news(services: Services, session: AsyncSession, leader: Person) -> tuple[list[int], list[str]]:
    """HR's actions on a barrier the leader's teams named before it acted, each told to a leader once
    (the digests that carried one, unless they failed, remember it): their ids and lines."""
    named = await first_named(session, leader)
    if not named:
        return [], []
    told_query = select(col(OutboxPost.extra), col(OutboxPost.state)).where(
        OutboxPost.workspace_id == leader.workspace_id, OutboxPost.kind == DIGEST, OutboxPost.person_id == leader.id)
    told = {i for extra, state in (await session.exec(told_query)).all() if state != "failed"
            for i in extra.get("hr_actions", [])}
    query = (select(BarrierAction).where(BarrierAction.workspace_id == leader.workspace_id,
                                         col(BarrierAction.theme).in_(named))
             .order_by(col(BarrierAction.taken_on), col(BarrierAction.id)))
    today = services.clock.now().date()
    fresh = [a for a in (await session.exec(query)).all()
             if a.id not in told and named[a.theme] <= a.taken_on <= today]
    lines = [services.copy("hr_acted.line", theme=theme_label(a.theme, services.copy.locale), title=a.title,
                           owner=a.owner, date=a.taken_on.isoformat()) for a in fresh]
    return [a.id for a in fresh if a.id is not None], lines


async def enqueue_digest(services: Services, session: AsyncSession, pending: Pending, *,
                         quiet: bool = False) -> OutboxPost | None:
    """Records the digest (or the quiet note) once; None when exactly this one exists already."""
    share, leader = pending.share, pending.leader
    assert share.id is not None and leader.id is not None
    services = services.speaking(leader.locale)  # the digest is the leader's, whoever asked for it
    follow_up = await follow_up_for(services, session, share)
    extra: dict[str, Any] = {"at": services.clock.now().isoformat()}
    if quiet:
        message, key = compose.quiet_note(services.copy, share, follow_up), f"digest:{share.id}:quiet"
        extra["quiet"] = True
    else:
        buttons = await raisable(services, session, share, [r for r, _ in pending.new], pending.notes)
        hr_actions, hr_lines = await hr_news(services, session, leader)
        message = compose.digest_message(services.copy, share, pending.new, [n.text for n in pending.notes],
                                         earlier=pending.shown, follow_up=follow_up, raisable=buttons,
                                         hr_lines=hr_lines)
        key = pending.key
        extra |= {"replies": [r.id for r, _ in pending.new], "notes": [n.id for n in pending.notes],
                  "earlier": pending.shown, "follow_up": follow_up, "hr_actions": hr_actions, "hr_lines": hr_lines}
    return await posts.enqueue(session, workspace_id=share.workspace_id, kind=DIGEST, key=key, subject_id=share.id,
                               person_id=leader.id, to=posts.Target(leader.platform_user_id, is_dm=True),
                               message=message, extra=extra)


async def recent_shares(session: AsyncSession, leader_id: int, now: datetime) -> list[Share]:
    query = (select(Share).where(Share.leader_id == leader_id, Share.status == "posted",
                                 col(Share.posted_at) >= now - WINDOW).order_by(col(Share.posted_at).desc()))
    return list((await session.exec(query)).all())


async def digests_now(services: Services, session: AsyncSession, leader: Person) -> tuple[list[int], str | None]:
    """The leader asked (the `digest` command, the playground's button): every recent share's news,
    now. Returns the posts to dispatch after the commit, or the copy key saying why there are none."""
    assert leader.id is not None
    shares = await recent_shares(session, leader.id, services.clock.now())
    if not shares:
        return [], "digest.no_share"
    post_ids, anything = [], False
    for share in shares:
        pending = await pending_digest(session, share)
        anything = anything or pending.any_replies
        if pending.has_news:
            post = await enqueue_digest(services, session, pending)
            if post is not None and post.id is not None:
                post_ids.append(post.id)
    if post_ids:
        return post_ids, None
    return [], "digest.nothing_new" if anything else "digest.none_yet"


async def send_digest(services: Services, share_id: int) -> bool:
    """One share's digest now, in its own transaction. False when there is no posted share or
    nothing new for it (a second press sends nothing)."""
    async with services.db.session() as session:
        share = await session.get(Share, share_id)
        if share is None or share.status != "posted":
            return False
        pending = await pending_digest(session, share)
        post = await enqueue_digest(services, session, pending) if pending.has_news else None
        post_id = post.id if post else None
    if post_id is None:
        return False
    await posts.dispatch(services, post_id)
    async with services.db.session() as session:
        sent = await session.get(OutboxPost, post_id)
        return sent is not None and sent.state == "sent"


async def without_author(services: Services, session: AsyncSession, person: Person) -> list[tuple[str, Sent, Message]]:
    """Digests already delivered that show this person's replies, rebuilt without them (the stored
    copy too), for the engine to rewrite on the platform when the person erases their data."""
    theirs = set((await session.exec(select(Reply.id).where(Reply.author_id == person.id))).all())
    if not theirs:
        return []
    rewritten = []
    query = select(OutboxPost).where(OutboxPost.workspace_id == person.workspace_id, OutboxPost.kind == DIGEST)
    for post in (await session.exec(query)).all():
        shown = post.extra.get("replies", [])
        if not theirs.intersection(shown):
            continue
        share = await session.get(Share, post.subject_id)
        if share is None:
            continue
        leader = await session.get(Person, share.leader_id)
        speaking = services.speaking(leader.locale if leader else None)  # rebuilt in the leader's language
        shown_replies = (await session.exec(select(Reply).where(col(Reply.id).in_(shown)))).all()
        kept = [r for r in shown_replies if r.id not in theirs]
        note_ids = post.extra.get("notes", [])
        notes = (await session.exec(select(PrivateNote).where(col(PrivateNote.id).in_(note_ids)))).all()
        message = compose.digest_message(speaking.copy, share, await names(session, kept), [n.text for n in notes],
                                         earlier=int(post.extra.get("earlier", 0)),
                                         follow_up=post.extra.get("follow_up"),
                                         raisable=await raisable(speaking, session, share, kept, list(notes)),
                                         hr_lines=post.extra.get("hr_lines", []))
        post.message, post.extra = message_to_data(message), {**post.extra, "replies": [r.id for r in kept]}
        session.add(post)
        if post.state == "sent" and post.sent_channel_id and post.sent_message_id:
            rewritten.append((post.workspace_id, Sent(post.sent_channel_id, post.sent_message_id), message))
    return rewritten


class DigestOutcome:
    async def sent(self, services: Services, session: AsyncSession, post: OutboxPost, where: Sent) -> None:
        share = await session.get(Share, post.subject_id)
        if share is not None:  # when it was recorded: every reply it couldn't hold came later
            recorded = post.extra.get("at")
            share.digest_sent_at = datetime.fromisoformat(recorded) if recorded else services.clock.now()
            session.add(share)

    async def failed(self, services: Services, session: AsyncSession, post: OutboxPost, error: DeliveryError) -> None:
        log.warning("digest for share %s not delivered: %s", post.subject_id, error.reason)

    async def unknown(self, services: Services, session: AsyncSession, post: OutboxPost) -> None:
        log.warning("digest for share %s may or may not have arrived; not resent", post.subject_id)
