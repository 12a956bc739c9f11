"""Work a Slack request starts after its ack is known to the edge: shutdown waits for each running
listener (and only for listeners, not for other clients' open connections), an event whose
listener finished is marked done, and one whose listener was cut short stays to be replayed;
also for bursts of concurrent requests and for replayed events."""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlmodel import select

from adapters.slack.edge import WORK_SLOTS
from bot.clock import FixedClock
from storage.tables.slack import SlackSeenEvent
from bot.config import Settings
from storage.db import Database
from tests.slack.conftest import CHANNEL, LEADER, TEAM_ID, Live, Seeded, running, seed_workspace
from tests.slack.double import SlackDouble
from tests.slack.test_loop import FILLED, texts

DM_STREAK = {"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER, "text": "streak",
             "ts": "1764000400.000001"}


async def states(live: Live) -> dict[str, str]:
    async with live.runtime.db.session() as session:
        return {row.event_id: row.state for row in (await session.exec(select(SlackSeenEvent))).all()}


async def test_shutdown_waits_for_a_listener_still_working_after_its_ack(live: Live, seeded: Seeded) -> None:
    gate = live.double.hold("chat.postMessage")
    status, _ = await live.command(LEADER, "streak")
    assert status == 200  # acked while the answer is still on its way
    with pytest.raises(TimeoutError):
        await live.edge.idle(timeout=0.3)
    gate.set()
    await live.settle()
    assert "modelling streak" in texts(live.dms_to(LEADER)[-1]["blocks"])


async def test_a_burst_is_tracked_per_listener_not_per_open_connection(live: Live, seeded: Seeded) -> None:
    """Twenty people at once, each on its own connection that stays open afterwards: once every
    answer is out the edge is idle (a shutdown would not wait on those connections)."""
    async def command(http: aiohttp.ClientSession, n: int) -> int:
        body = urlencode({"team_id": TEAM_ID, "channel_id": CHANNEL, "user_id": LEADER, "command": "/gofirst",
                          "text": "streak", "trigger_id": f"{n}.trigger", "api_app_id": "A0GOFIRST",
                          "response_url": "https://hooks.slack.invalid/commands/1"})
        headers = live.headers(body, "application/x-www-form-urlencoded")
        async with http.post(f"{live.url}/slack/events", data=body.encode(), headers=headers) as response:
            return response.status

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        assert await asyncio.gather(*(command(http, n) for n in range(20))) == [200] * 20
        await live.edge.idle(timeout=10)  # the twenty connections are still open here
        assert live.edge.busy == 0
    assert len(live.dms_to(LEADER)) == 20


async def test_concurrent_events_are_each_marked_done_when_their_listener_finishes(
        live: Live, seeded: Seeded) -> None:
    answers = await asyncio.gather(*(live.event({**DM_STREAK, "ts": f"1764000400.{n:06d}"}, event_id=f"EvBURST{n:02d}")
                                     for n in range(12)))
    assert [status for status, _ in answers] == [200] * 12
    await live.settle()  # includes the done marks, written just after each listener ends
    assert await states(live) == {f"EvBURST{n:02d}": "done" for n in range(12)}
    assert len(live.dms_to(LEADER)) == 12


async def test_an_event_whose_listener_is_cut_short_is_replayed_until_done(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    gate = live.double.hold("chat.postMessage")
    status, _ = await live.event(DM_STREAK, event_id="EvCUT0001")
    assert status == 200
    await asyncio.sleep(0.1)
    for task in list(live.edge._tasks):  # what a hard stop does to the work in flight
        task.cancel()
    gate.set()
    await live.settle()
    assert (await states(live))["EvCUT0001"] == "received"
    clock.advance(timedelta(minutes=5))  # the replayer takes back what was left unfinished
    assert await live.edge.replayer.run_once() == 1
    await live.settle()
    assert (await states(live))["EvCUT0001"] == "done"
    assert "modelling streak" in texts(live.dms_to(LEADER)[-1]["blocks"])


async def test_a_replayed_event_is_waited_for_and_then_marked_done(live: Live, seeded: Seeded) -> None:
    gate = live.double.hold("chat.postMessage")
    raw = json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0GOFIRST", "type": "event_callback",
                      "event": DM_STREAK, "event_id": "EvREPLAY1", "event_time": 1764000400})
    assert await live.edge.seen.first_time("EvREPLAY1", TEAM_ID, "message", body=raw)
    await live.edge.replayer.replay(raw, "EvREPLAY1")
    with pytest.raises(TimeoutError):
        await live.edge.idle(timeout=0.3)
    gate.set()
    await live.settle()
    assert "modelling streak" in texts(live.dms_to(LEADER)[-1]["blocks"])
    assert (await states(live))["EvREPLAY1"] == "done"


async def test_a_modal_mistake_is_answered_in_place_while_a_burst_of_acked_work_waits_on_slack(
        live: Live, seeded: Seeded) -> None:
    """Acked work takes turns (WORK_SLOTS at once, so a burst's acks keep the CPU), but a modal
    whose answer goes in its own ack never queues behind it; the queued work is all done later."""
    await live.command(LEADER, "share")
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    gate = live.double.hold("chat.postMessage")
    burst = WORK_SLOTS + 4
    assert [s for s, _ in await asyncio.gather(*(live.command(LEADER, "streak") for _ in range(burst)))] == [200] * burst
    status, body = await live.submit(LEADER, view, {**FILLED, "barrier": " ", "channel": CHANNEL})
    assert status == 200 and '"response_action":"errors"' in body.replace(" ", "") and "barrier" in body
    gate.set()
    await live.settle()
    assert sum("modelling streak" in texts(dm["blocks"]) for dm in live.dms_to(LEADER)) == burst


async def test_shutdown_closes_the_kept_alive_connections_to_slack(migrated_db: Database, clock: FixedClock,
                                                                     double: SlackDouble,
                                                                     slack_settings: Settings) -> None:
    async with running(slack_settings, migrated_db, clock, double) as server:
        await seed_workspace(server)
        assert (await server.command(LEADER, "streak"))[0] == 200
        await server.settle()
        pool = server.edge.platform.http.session()
        assert not pool.closed  # the DM went out on the process's shared connections
    assert pool.closed  # no "Unclosed client session" when the server stops
