"""Exactly once on Slack, over real HTTP against the Web API double: a process that dies after Slack
took a nudge but before the database recorded it leaves the leader with one DM, not two. The
restarted process finds the DM by its message metadata (`conversations.history`) and records
Slack's ts; a DM that never went out is sent once; a Slack that can't answer is asked again later."""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlmodel import col, select

from adapters.slack.oauth import BOT_SCOPES
from adapters.slack.platform import SlackPlatform
from bot.clock import FixedClock
from bot.core.messages import Message, Sent
from bot.delivery import send_now
from bot.runtime import Runtime, build_runtime
from bot.delivery.capability import Traceable, marker_for
from bot.delivery.worker import DeliveryWorker
from storage.db import Database
from storage.tables import Nudge
from tests.scheduling.conftest import Crash
from tests.slack.conftest import LEADER, Live, Seeded
from tests.slack.double import BOT_TOKEN, Call, Failure, dm_of

LEASE_PASSED = timedelta(minutes=3)  # past the default 120 s sending lease
Send = Callable[[str, str, Message, str], Awaitable[Sent]]


def crash_after_send(platform: SlackPlatform) -> None:
    """kill -9 right after Slack answered chat.postMessage: nothing records the send."""
    original: Send = platform.send_dm_marked

    async def send_then_die(workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        await original(workspace_id, user_id, message, marker)
        raise Crash()

    platform.send_dm_marked = send_then_die  # type: ignore[method-assign]


def crash_before_send(platform: SlackPlatform) -> None:
    """kill -9 after the claim was committed, before Slack was called."""
    async def die(workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        raise Crash()

    platform.send_dm_marked = die  # type: ignore[method-assign]


@asynccontextmanager
async def restarted(live: Live, clock: FixedClock) -> AsyncIterator[Runtime]:
    """A new process on the same database and the same Slack: fresh engine, pool and platform."""
    again = build_runtime(live.runtime.settings, clock=clock, db=Database(live.runtime.db.url))
    again.services.platforms.register(SlackPlatform(again.db, live.edge.platform.wording, token=BOT_TOKEN,
                                                    base_url=live.double.url))
    try:
        yield again
    finally:
        await again.db.dispose()


def nudge_dms(live: Live, nudge_id: int) -> list[Call]:
    """chat.postMessage calls that carried this nudge (its marker in the message metadata)."""
    return [c for c in live.double.posts_to(LEADER)
            if (c.args.get("metadata") or {}).get("event_payload", {}).get("marker") == marker_for(nudge_id)]


async def crashed_nudge(live: Live, seeded: Seeded) -> int:
    with pytest.raises(Crash):
        await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    async with live.runtime.db.session() as session:
        stuck = (await session.exec(select(Nudge.id).where(col(Nudge.leader_id) == seeded.leader_id,
                                                           col(Nudge.state) == "sending"))).all()
    assert len(stuck) == 1 and stuck[0] is not None
    return stuck[0]


async def row(runtime: Runtime, nudge_id: int) -> Nudge:
    async with runtime.db.session() as session:
        nudge = await session.get(Nudge, nudge_id)
    assert nudge is not None
    return nudge


def test_the_slack_platform_offers_exactly_once(live: Live) -> None:
    assert isinstance(live.edge.platform, Traceable)


async def test_crash_after_slack_took_the_dm_records_it_and_never_sends_it_again(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    crash_after_send(live.edge.platform)
    nudge_id = await crashed_nudge(live, seeded)
    assert len(nudge_dms(live, nudge_id)) == 1  # the leader has it; the database doesn't know
    [posted] = [m for m in live.double.history[dm_of(LEADER)] if m.get("metadata")]
    async with restarted(live, clock) as second:
        await DeliveryWorker(second.services).run_once()  # inside the lease: nobody touches the row
        assert live.double.of("conversations.history") == []
        clock.advance(LEASE_PASSED)
        assert (await DeliveryWorker(second.services).run_once()).recovered == 1
        for _ in range(3):
            await DeliveryWorker(second.services).run_once()
        nudge = await row(second, nudge_id)
    assert len(live.double.posts_to(LEADER)) == 1  # exactly one DM in the leader's Messages tab
    assert nudge.state == "sent" and nudge.platform_message_id == posted["ts"] and nudge.channel_id == dm_of(LEADER)
    [opened] = live.double.of("conversations.open")
    assert opened.args["users"] == LEADER
    assert all(c.args["include_all_metadata"] == "true" for c in live.double.of("conversations.history"))


async def test_crash_before_the_send_sends_it_once_after_recovery(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    crash_before_send(live.edge.platform)
    nudge_id = await crashed_nudge(live, seeded)
    assert live.double.posts_to(LEADER) == []
    async with restarted(live, clock) as second:
        clock.advance(LEASE_PASSED)
        for _ in range(3):
            await DeliveryWorker(second.services).run_once()
        nudge = await row(second, nudge_id)
    assert len(nudge_dms(live, nudge_id)) == 1 and len(live.double.posts_to(LEADER)) == 1
    assert nudge.state == "sent" and nudge.platform_message_id == live.double.history[dm_of(LEADER)][-1]["ts"]


async def test_when_slack_cannot_say_the_nudge_is_not_resent_but_asked_about_again(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    crash_after_send(live.edge.platform)
    nudge_id = await crashed_nudge(live, seeded)
    live.double.fail("conversations.history", *[Failure(status=503)] * 3)  # the client's 2 retries too
    async with restarted(live, clock) as second:
        clock.advance(LEASE_PASSED)
        await DeliveryWorker(second.services).run_once()
        assert (await row(second, nudge_id)).state == "sending"  # undecided, not guessed
        assert len(live.double.posts_to(LEADER)) == 1
        await DeliveryWorker(second.services).run_once()  # a new lease: not asked again yet
        assert len(live.double.of("conversations.history")) == 3
        clock.advance(LEASE_PASSED)  # Slack is back
        await DeliveryWorker(second.services).run_once()
        nudge = await row(second, nudge_id)
    assert nudge.state == "sent" and len(live.double.posts_to(LEADER)) == 1


async def test_the_dm_is_found_behind_a_page_of_newer_messages(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    crash_after_send(live.edge.platform)
    nudge_id = await crashed_nudge(live, seeded)
    for n in range(60):  # the leader kept writing to the bot meanwhile
        live.double.say(LEADER, f"note {n}")
    async with restarted(live, clock) as second:
        clock.advance(LEASE_PASSED)
        await DeliveryWorker(second.services).run_once()
        nudge = await row(second, nudge_id)
    pages = live.double.of("conversations.history")
    assert nudge.state == "sent" and len(live.double.posts_to(LEADER)) == 1
    assert len(pages) == 2 and "cursor" in pages[1].args


async def test_with_the_manifests_scopes_even_a_first_dm_is_found(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    """`im:write` lets `conversations.open` find the DM of a leader never nudged before."""
    live.double.scopes = set(BOT_SCOPES)
    crash_after_send(live.edge.platform)
    first = await crashed_nudge(live, seeded)
    async with restarted(live, clock) as second:
        clock.advance(LEASE_PASSED)
        await DeliveryWorker(second.services).run_once()
        nudge = await row(second, first)
    assert nudge.state == "sent" and len(nudge_dms(live, first)) == 1
    assert [c.method for c in live.double.calls if c.method.startswith("conversations.")][0] == "conversations.open"


async def test_an_install_without_im_write_leaves_an_unfindable_first_dm_to_an_admin(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    """An older install lacks `im:write`: the first DM can't be looked up, so it is marked unknown
    (shown to admins) instead of being resent or asked about forever. Later DMs use the channel
    an earlier nudge landed in."""
    live.double.scopes = set(BOT_SCOPES) - {"im:write"}
    crash_after_send(live.edge.platform)
    first = await crashed_nudge(live, seeded)
    async with restarted(live, clock) as second:
        clock.advance(LEASE_PASSED)
        await DeliveryWorker(second.services).run_once()
        nudge = await row(second, first)
    assert nudge.state == "unknown" and "missing_scope" in (nudge.last_error or "")
    assert len(nudge_dms(live, first)) == 1

    async with live.runtime.db.session() as session:  # say an admin confirmed it with the leader
        confirmed = await session.get(Nudge, first)
        assert confirmed is not None
        confirmed.state, confirmed.channel_id, confirmed.platform_message_id = "sent", dm_of(LEADER), "1764000000.1"
        session.add(confirmed)
    clock.advance(timedelta(days=7))  # next week's nudge crashes the same way (the crash is still armed)
    second_id = await crashed_nudge(live, seeded)
    async with restarted(live, clock) as again:
        clock.advance(LEASE_PASSED)
        await DeliveryWorker(again.services).run_once()
        nudge = await row(again, second_id)
    assert nudge.state == "sent" and len(nudge_dms(live, second_id)) == 1
    assert len(live.double.of("conversations.open")) == 1  # not asked again: the DM channel was known
