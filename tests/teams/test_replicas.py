"""Two GoFirst replicas behind one Teams bot, sharing one database: an activity Teams delivers to
both (a redelivery after a slow answer lands wherever the load balancer sends it) is handled once."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from adapters.teams.app import TEAMS
from adapters.teams.dedupe import KEEP
from bot.clock import FixedClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from storage.repositories.people import find_person
from storage.tables import Reply, Share
from storage.tables.teams import TeamsSeenActivity
from tests.teams.conftest import CHANNEL, LEADER, MEMBER, PERSONAL, WORKSPACE, Live, card_text, serve, start_connector


@pytest.fixture
async def replicas(runtime: Runtime, clock: FixedClock) -> AsyncIterator[tuple[Live, Live]]:
    """Two servers, each with its own runtime, engine and database pool, on one database and one
    Bot Connector double."""
    connector, connector_runner = await start_connector()
    settings = Settings(GOFIRST_DATABASE_URL=runtime.db.url, GOFIRST_TEAMS_DEV_MODE=True)
    other = build_runtime(settings, clock=clock)
    runner_a, url_a = await serve(runtime, settings)
    runner_b, url_b = await serve(other, settings)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        a = Live(url_a, connector, runtime, runner_a.app[TEAMS], http, [])
        b = Live(url_b, connector, other, runner_b.app[TEAMS], http, [])
        try:
            yield a, b
        finally:
            await runner_a.cleanup()
            await runner_b.cleanup()
            await other.db.dispose()
            await connector_runner.cleanup()


def status_cards(live: Live) -> list[str]:
    return [text for text in map(card_text, live.connector.cards(PERSONAL["alex"])) if "Europe/London" in text]


async def test_an_activity_delivered_to_both_replicas_is_answered_once(replicas: tuple[Live, Live]) -> None:
    a, b = replicas
    await a.install_personal(LEADER)
    asked = a.activity("message", LEADER, a.personal(LEADER), text="status")
    assert (await a.post(asked)).status in (200, 201)
    assert (await b.post(asked)).status in (200, 201)  # Teams redelivered it, to the other replica
    assert len(status_cards(a)) == 1


async def test_the_same_activity_arriving_at_both_replicas_at_once_is_answered_once(
        replicas: tuple[Live, Live]) -> None:
    a, b = replicas
    await a.install_personal(LEADER)
    asked = a.activity("message", LEADER, a.personal(LEADER), text="status")
    first, second = await asyncio.gather(a.post(asked), b.post(asked))
    assert first.status in (200, 201) and second.status in (200, 201)
    assert len(status_cards(a)) == 1


async def test_a_team_install_delivered_to_both_replicas_greets_once(replicas: tuple[Live, Live]) -> None:
    a, b = replicas
    await a.install_personal(LEADER)
    install = a.activity("conversationUpdate", LEADER, a.channel(), membersAdded=[{"id": "28:gofirst-bot"}],
                         channelData={**a.team_data, "eventType": "teamMemberAdded"})
    await asyncio.gather(a.post(install), b.post(install))
    leader_dms = [t for t in map(card_text, a.connector.cards(PERSONAL["alex"])) if "you lead it" in t]
    assert len(leader_dms) == 1
    assert len([c for c in a.connector.sent(CHANNEL, "POST") if "added GoFirst" in c.body.get("text", "")]) == 1


async def test_a_second_edit_of_a_reply_is_not_taken_for_a_redelivery(live: Live) -> None:
    await live.install_team(LEADER)
    async with live.runtime.db.session() as session:
        leader = await find_person(session, WORKSPACE, LEADER["id"])
        assert leader is not None
        session.add(Share(workspace_id=WORKSPACE, leader_id=leader.id or 0, status="posted", channel_id=CHANNEL,
                          platform_message_id="900", try_text="t", why_text="w", barrier_text="b", ask_text="a"))
    thread = live.channel(root="900")
    data = {**live.team_data, "eventType": "editMessage"}
    await live.post(live.activity("message", MEMBER, thread, id="901", text="no time", channelData=live.team_data))
    first = live.activity("messageUpdate", MEMBER, thread, id="901", text="no time, meetings", channelData=data)
    second = live.activity("messageUpdate", MEMBER, thread, id="901", text="no time, too many meetings",
                           channelData=data, timestamp="2026-11-24T10:05:00.000Z")
    for activity in (first, second, first):  # the last one is Teams redelivering the first edit
        await live.post(activity)
    async with live.runtime.db.session() as session:
        assert [r.text for r in (await session.exec(select(Reply))).all()] == ["no time, too many meetings"]


async def test_activities_without_an_id_are_each_handled(live: Live) -> None:
    await live.install_personal(LEADER)
    for _ in range(2):
        asked = live.activity("message", LEADER, live.personal(LEADER), text="status")
        asked.pop("id")
        await live.post(asked)
    assert len(status_cards(live)) == 2


async def test_old_activity_ids_are_pruned_and_recent_ones_kept(live: Live, clock: FixedClock) -> None:
    await live.install_personal(LEADER)
    clock.advance(KEEP + timedelta(minutes=1))
    recent = live.activity("message", LEADER, live.personal(LEADER), text="status")
    await live.post(recent)
    assert await live.edge.handler.seen.prune() == 1  # the install, more than a day old
    async with live.runtime.db.session() as session:
        assert (await session.exec(select(TeamsSeenActivity.activity_id))).all() == [recent["id"]]
    await live.post(recent)
    assert len(status_cards(live)) == 1
