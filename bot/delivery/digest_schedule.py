"""When a digest goes out on its own, driven by the delivery worker's pass.

The first digest of a share comes at the first moment inside the leader's working hours at least
the delay (GOFIRST_DIGEST_DELAY_MINUTES) after the share was posted, once it has replies. Replies
that arrive later make at most one more digest a working day. A share nobody answered gets one
gentle note after two working days. Every send is checked against working hours and quiet days at
the moment it would go out, and goes through the post outbox, so it happens exactly once."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot.core.services import Services
from bot.delivery import posts
from bot.delivery.digests import WINDOW, Pending, enqueue_digest, pending_digest
from bot.delivery.policy import is_working_moment, next_working_day_start, next_working_moment
from bot.scheduling.cap import add_working_days
from bot.scheduling.people import hours_of
from bot.scheduling.planner import Hours, at_local
from storage.tables import Person, Reply, Share, Workspace
from storage.tables.loop import PrivateNote

log = logging.getLogger(__name__)
QUIET_AFTER_DAYS = 2
RETRIES = 3                           # a failed digest is asked for again this often, spaced out
RETRY_SPACING = timedelta(minutes=10)


@dataclass(frozen=True)
class History:
    """A share as the timing rules see it."""

    posted_at: datetime
    new_at: tuple[datetime, ...]       # when each reply or note not yet in a digest arrived
    any_replies: bool
    last_digest_at: datetime | None
    quiet_sent: bool


def digest_due(history: History, hours: Hours, delay: timedelta) -> tuple[str, datetime] | None:
    """("replies" | "quiet", due moment), or None when nothing is owed. Pure."""
    if history.new_at:
        if history.last_digest_at is None:
            return "replies", next_working_moment(max(history.posted_at + delay, min(history.new_at)), hours)
        after = max(min(history.new_at), next_working_day_start(history.last_digest_at, hours))
        return "replies", next_working_moment(after, hours)
    if not history.any_replies and not history.quiet_sent and history.last_digest_at is None:
        return "quiet", next_working_moment(add_working_days(history.posted_at, QUIET_AFTER_DAYS, hours), hours)
    return None


def history_of(pending: Pending, hours: Hours) -> History:
    assert pending.share.posted_at is not None
    arrivals = [reply.created_at for reply, _ in pending.new]
    arrivals += [at_local(note.told_on, hours.work_start, hours.zone)[0] for note in pending.notes]
    return History(pending.share.posted_at, tuple(arrivals), pending.any_replies, pending.last_at, pending.quiet_sent)


def may_retry(pending: Pending, key: str, now: datetime) -> bool:
    """A digest recorded under this key already: only a failed one, a few times, spaced out."""
    for post in pending.records:
        if post.key == key:
            return post.state == "failed" and post.attempts < RETRIES and \
                (post.claimed_at is None or post.claimed_at <= now - RETRY_SPACING * post.attempts)
    return True


async def due_share_ids(services: Services, now: datetime) -> list[int]:
    """Recent posted shares that may owe a digest, found with three cheap queries so a pass stays
    light however many shares there are: replies since the last digest, notes told privately, or
    no digest at all yet (the first one, or the quiet note)."""
    async with services.db.session() as session:
        shares = (await session.exec(
            select(Share.id, Share.digest_sent_at).join(Workspace, col(Workspace.id) == col(Share.workspace_id))
            .where(Share.status == "posted", col(Share.posted_at) >= now - WINDOW, col(Workspace.active)))).all()
        ids = [i for i, _ in shares if i is not None]
        if not ids:
            return []
        latest = dict((await session.exec(
            select(Reply.share_id, func.max(Reply.created_at))
            .where(col(Reply.share_id).in_(ids), Reply.is_leader == False)  # noqa: E712
            .group_by(col(Reply.share_id)))).all())
        noted = set((await session.exec(select(PrivateNote.share_id).where(col(PrivateNote.share_id).in_(ids)))).all())
    return [i for i, last in shares if i is not None and
            (last is None or i in noted or (i in latest and latest[i] > last))]


async def send_due_digests(services: Services) -> int:
    """One pass: records every digest whose moment has come (inside the leader's working hours
    now), then sends each. Returns how many were sent."""
    now = services.clock.now()
    delay = timedelta(minutes=services.digest_delay_minutes)
    post_ids: list[int] = []
    for share_id in await due_share_ids(services, now):
        async with services.db.session() as session:
            share = await session.get(Share, share_id)
            leader = await session.get(Person, share.leader_id) if share else None
            if share is None or leader is None or leader.inactive_reason:
                continue
            hours = hours_of(leader)
            pending = await pending_digest(session, share)
            due = digest_due(history_of(pending, hours), hours, delay)
            if due is None or due[1] > now or not is_working_moment(now, hours):
                continue
            quiet = due[0] == "quiet"
            if not may_retry(pending, f"digest:{share_id}:quiet" if quiet else pending.key, now):
                continue
            post = await enqueue_digest(services, session, pending, quiet=quiet)
            if post is not None and post.id is not None:
                post_ids.append(post.id)
    sent = 0
    for post_id in post_ids:
        sent += int(await posts.dispatch(services, post_id))
    return sent
