"""The outbox for posts whose result must be stored: a share in its channel, a leader's answer in
the thread, a digest DM. A flow records the post (`enqueue`) in its own transaction and asks for
`dispatch` after the commit; the row is claimed (`pending → sending`, committed) before the platform
is called, so a second click, a second replica or a crash never sends it twice. What a sent, failed
or unconfirmed post means for the product is the engine's business: it registers one `PostOutcome`
(bot/core/services.py) per kind on `Services.post_outcomes`, and this module calls it in the
transaction that records."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.capability import Traceable, TraceablePosts, post_marked, post_marker, send_marked
from bot.core.messages import Message, Sent, message_from_data, message_to_data
from bot.core.port import DeliveryError, UnknownPlatform
from bot.core.services import Services
from storage.tables.outbox import OutboxPost

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
STALE_PENDING = timedelta(seconds=30)   # recorded but never dispatched: the process died after its commit


@dataclass(frozen=True)
class Target:
    target: str
    is_dm: bool = False
    thread_id: str | None = None


async def enqueue(session: AsyncSession, *, workspace_id: str, kind: str, key: str, subject_id: int, person_id: int,
                  to: Target, message: Message, extra: dict[str, Any] | None = None) -> OutboxPost | None:
    """Records a post once per key. Returns the new row, or None when the same post already exists
    (a double click, a retried request): the caller says so instead of posting again. A post that
    failed, or whose fate the platform couldn't tell, may be asked for again by the person: the same
    row goes back to pending."""
    existing = (await session.exec(select(OutboxPost).where(OutboxPost.workspace_id == workspace_id,
                                                             OutboxPost.key == key))).first()
    if existing is not None:
        if existing.state not in ("failed", "unknown"):
            return None
        existing.state, existing.message, existing.extra = "pending", message_to_data(message), extra or {}
        session.add(existing)
        await session.flush()
        return existing
    post = OutboxPost(workspace_id=workspace_id, kind=kind, key=key[:120], subject_id=subject_id, person_id=person_id,
                      target=to.target, is_dm=to.is_dm, thread_id=to.thread_id, message=message_to_data(message),
                      extra=extra or {})
    try:
        async with session.begin_nested():
            session.add(post)
    except IntegrityError:  # the same request raced in on another connection: theirs stands
        return None
    return post


async def _claim(services: Services, post_id: int, *, states: tuple[str, ...] = ("pending",),
                 old_claim: str | None = None) -> str | None:
    claim_id = uuid.uuid4().hex
    condition = [col(OutboxPost.id) == post_id, col(OutboxPost.state).in_(states)]
    if old_claim is not None:
        condition.append(col(OutboxPost.claim_id) == old_claim)
    async with services.db.session() as session:
        result = await session.exec(update(OutboxPost).where(*condition).values(
            state="sending", claim_id=claim_id, claimed_at=services.clock.now(), attempts=OutboxPost.attempts + 1))
        return claim_id if result.rowcount == 1 else None


async def dispatch(services: Services, post_id: int) -> bool:
    """Claims and sends one pending post, then records what happened. False when it was not ours."""
    claim_id = await _claim(services, post_id)
    if claim_id is None:
        return False
    async with services.db.session() as session:
        post = await session.get(OutboxPost, post_id)
        assert post is not None
        workspace_id, to = post.workspace_id, Target(post.target, post.is_dm, post.thread_id)
        message, marker = message_from_data(post.message), post_marker(post_id)
    try:
        platform = services.platform(workspace_id)
        if to.is_dm:
            where = await send_marked(platform, workspace_id, to.target, message, marker)
        else:
            where = await post_marked(platform, workspace_id, to.target, message, to.thread_id, marker)
    except UnknownPlatform as exc:
        await _record(services, post_id, claim_id, error=DeliveryError(str(exc), permanent=True))
        return True
    except DeliveryError as exc:
        if exc.outcome_unknown:  # it may be there: recovery looks for its marker after the lease
            log.warning("post %s: outcome unknown (%s); recovery will look it up", post_id, exc.reason)
            return True
        await _record(services, post_id, claim_id, error=exc)
        return True
    await _record(services, post_id, claim_id, where=where)
    return True


async def _record(services: Services, post_id: int, claim_id: str, *, where: Sent | None = None,
                  error: DeliveryError | None = None, unknown: bool = False) -> None:
    async with services.db.session() as session:
        post = await session.get(OutboxPost, post_id)
        if post is None or post.state != "sending" or post.claim_id != claim_id:
            log.error("post %s: its claim moved on; not recording twice", post_id)
            return
        outcome = services.post_outcomes[post.kind]
        if where is not None:
            post.state, post.sent_channel_id, post.sent_message_id = "sent", where.channel_id, where.message_id
            await outcome.sent(services, session, post, where)
        elif unknown:
            post.state = "unknown"
            post.last_error = "interrupted while sending; the platform can't say whether it arrived, so not resent"
            await outcome.unknown(services, session, post)
        else:
            assert error is not None
            post.state, post.last_error = "failed", error.reason[:500]
            log.warning("%s %s not delivered: %s", post.kind, post_id, error.reason)
            await outcome.failed(services, session, post, error)
        session.add(post)
    services.metrics.inc("gofirst_posts_total", kind=post.kind, outcome=post.state)


async def recover(services: Services) -> int:
    """Posts a dead process left behind: `sending` past its lease is looked up by marker where the
    platform can (found → recorded, not found → sent now) and otherwise marked unknown; `pending`
    rows whose dispatch never ran are dispatched. Returns how many were settled."""
    now = services.clock.now()
    async with services.db.session() as session:
        stuck = list((await session.exec(select(OutboxPost.id, OutboxPost.claim_id).where(
            OutboxPost.state == "sending", col(OutboxPost.claimed_at) < now - LEASE))).all())
        waiting = list((await session.exec(select(OutboxPost.id).where(
            OutboxPost.state == "pending", col(OutboxPost.created_at) < now - STALE_PENDING))).all())
    settled = 0
    for post_id, old_claim in stuck:
        assert post_id is not None
        claim_id = await _claim(services, post_id, states=("sending",), old_claim=old_claim)
        if claim_id is not None:
            settled += await _resolve(services, post_id, claim_id)
    for post_id in waiting:
        assert post_id is not None
        settled += int(await dispatch(services, post_id))
    return settled


async def _resolve(services: Services, post_id: int, claim_id: str) -> int:
    async with services.db.session() as session:
        post = await session.get(OutboxPost, post_id)
        assert post is not None
        workspace_id, to = post.workspace_id, Target(post.target, post.is_dm, post.thread_id)
    try:
        platform = services.platform(workspace_id)
    except UnknownPlatform:
        return 0
    marker = post_marker(post_id)
    try:
        if to.is_dm and isinstance(platform, Traceable):
            found = await platform.find_sent(workspace_id, to.target, marker)
        elif not to.is_dm and isinstance(platform, TraceablePosts):
            found = await platform.find_posted(workspace_id, to.target, to.thread_id, marker)
        else:
            await _record(services, post_id, claim_id, unknown=True)
            return 1
    except DeliveryError as exc:
        if exc.permanent:
            await _record(services, post_id, claim_id, unknown=True)
            return 1
        log.warning("cannot check post %s after a crash yet: %s", post_id, exc.reason)
        return 0
    if found is not None:
        await _record(services, post_id, claim_id, where=found)
        return 1
    async with services.db.session() as session:  # it never went out: back in the queue, sent now
        await session.exec(update(OutboxPost).where(col(OutboxPost.id) == post_id, col(OutboxPost.claim_id) == claim_id)
                           .values(state="pending"))
    return int(await dispatch(services, post_id))
