"""Exactly once in the playground: a process that dies right after the nudge reached the leader's DM
(but before the outbox recorded it) leaves one nudge in the DM, found again by its marker and
recorded with its message id; one that died before sending sends it once. Checked through the
playground's own HTTP API, as the page shows the DM."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlmodel import col, select

from adapters.local.broadcast import Broadcaster
from adapters.local.platform import LocalPlatform
from bot.clock import FixedClock
from bot.core.messages import Message, Sent
from bot.delivery import send_now
from bot.runtime import Runtime, build_runtime
from bot.delivery.capability import Traceable, marker_for
from bot.delivery.worker import DeliveryWorker
from storage.db import Database
from storage.tables import Nudge
from tests.local.conftest import Server
from tests.scheduling.conftest import Crash

LEADER = "alex"
LEASE_PASSED = timedelta(minutes=3)  # past the default 120 s sending lease


@asynccontextmanager
async def restarted(server: Server, clock: FixedClock) -> AsyncIterator[tuple[Runtime, LocalPlatform]]:
    """A new process on the same database: fresh engine, pool and playground platform."""
    again = build_runtime(server.runtime.settings, clock=clock, db=Database(server.runtime.db.url))
    platform = LocalPlatform(again.db, clock, Broadcaster())
    again.services.platforms.register(platform)
    try:
        yield again, platform
    finally:
        await platform.flush()
        await again.db.dispose()


async def crashed_nudge(server: Server, *, after_send: bool) -> int:
    """Sends this week's nudge through the outbox and kills the sender before or after the send."""
    await server.post("/admin/start")
    platform, ids = server.playground.platform, server.playground.demo()
    original = platform.send_dm_marked

    async def die(workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        if after_send:
            await original(workspace_id, user_id, message, marker)
        raise Crash()

    platform.send_dm_marked = die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await send_now(server.runtime.services, ids.campaign_id, ids.leader_id)
    platform.send_dm_marked = original  # type: ignore[method-assign]
    async with server.runtime.db.session() as session:
        [nudge_id] = (await session.exec(select(Nudge.id).where(col(Nudge.state) == "sending"))).all()
    assert nudge_id is not None
    return nudge_id


async def nudges_in_dm(server: Server) -> list[dict[str, object]]:
    return [m for m in await server.dm(LEADER) if m["kind"] == "nudge"]


async def row(runtime: Runtime, nudge_id: int) -> Nudge:
    async with runtime.db.session() as session:
        nudge = await session.get(Nudge, nudge_id)
    assert nudge is not None
    return nudge


def test_the_playground_offers_exactly_once(server: Server) -> None:
    assert isinstance(server.playground.platform, Traceable)


async def test_crash_after_the_dm_was_shown_records_it_and_never_shows_it_twice(server: Server,
                                                                                 clock: FixedClock) -> None:
    nudge_id = await crashed_nudge(server, after_send=True)
    [shown] = await nudges_in_dm(server)  # the leader sees it; the outbox doesn't know
    async with restarted(server, clock) as (second, _):
        await DeliveryWorker(second.services).run_once()  # inside the lease: nobody touches the row
        assert (await row(second, nudge_id)).state == "sending"
        clock.advance(LEASE_PASSED)
        assert (await DeliveryWorker(second.services).run_once()).recovered == 1
        for _ in range(3):
            await DeliveryWorker(second.services).run_once()
        nudge = await row(second, nudge_id)
    assert await nudges_in_dm(server) == [shown]  # exactly one nudge in the DM, unchanged
    assert nudge.state == "sent" and nudge.platform_message_id == shown["message_id"]


async def test_crash_before_the_send_shows_it_once_after_recovery(server: Server, clock: FixedClock) -> None:
    nudge_id = await crashed_nudge(server, after_send=False)
    assert await nudges_in_dm(server) == []
    async with restarted(server, clock) as (second, _):
        clock.advance(LEASE_PASSED)
        for _ in range(3):
            await DeliveryWorker(second.services).run_once()
        nudge = await row(second, nudge_id)
    [shown] = await nudges_in_dm(server)
    assert nudge.state == "sent" and nudge.platform_message_id == shown["message_id"]


async def test_a_marked_nudge_rewritten_after_an_answer_is_still_found(server: Server) -> None:
    """The leader may answer (the nudge is rewritten without buttons) before recovery asks."""
    platform, workspace = server.playground.platform, server.playground.workspace
    marker = marker_for(41)
    sent = await platform.send_dm_marked(workspace, LEADER, Message(kind="nudge", text="Go first"), marker)
    await platform.update(workspace, sent, Message(kind="info", text="Snoozed for a week"))
    assert await platform.find_sent(workspace, LEADER, marker) == sent
    assert await platform.find_sent(workspace, LEADER, marker_for(42)) is None
    assert await platform.find_sent(workspace, "sam", marker) is None  # another person's DM
