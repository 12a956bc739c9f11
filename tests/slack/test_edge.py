"""The edge done right, over real HTTP: signatures and timestamps, url_verification, ack before slow
work, retries processed once, the bot's own messages ignored, bad input answered with a 4xx."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from sqlmodel import select

from storage.tables.slack import SlackSeenEvent
from tests.slack.conftest import BOT_ID, BOT_USER, CHANNEL, LEADER, Live, Seeded
from tests.slack.test_loop import texts

DM_STREAK = {"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER, "text": "streak",
             "ts": "1764000400.000001"}


async def test_forged_signature_and_stale_timestamp_get_401_and_do_nothing(live: Live, seeded: Seeded) -> None:
    status, _ = await live.event(DM_STREAK, signature="v0=" + "0" * 64)
    assert status == 401
    status, _ = await live.event(DM_STREAK, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    async with live.http.post(f"{live.url}/slack/events", data=b'{"type":"event_callback"}',
                              headers={"Content-Type": "application/json"}) as response:
        assert response.status == 401  # no signature at all
    await live.settle()
    assert live.dms_to(LEADER) == []


async def test_url_verification_echoes_the_challenge(live: Live) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    status, text = await live.send(body, "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


async def test_a_retried_event_is_processed_once(live: Live, seeded: Seeded) -> None:
    first = await live.event(DM_STREAK, event_id="Ev0RETRY01")
    again = await live.event(DM_STREAK, event_id="Ev0RETRY01", retry=1)
    third = await live.event(DM_STREAK, event_id="Ev0RETRY01", retry=2)
    assert first[0] == again[0] == third[0] == 200
    await live.settle()
    assert len(live.dms_to(LEADER)) == 1
    async with live.runtime.db.session() as session:
        rows = (await session.exec(select(SlackSeenEvent))).all()
    assert [r.event_id for r in rows] == ["Ev0RETRY01"]

    # a restart forgets what is in memory; the database still knows the event
    live.edge.seen._recent.clear()
    await live.event(DM_STREAK, event_id="Ev0RETRY01", retry=3)
    await live.settle()
    assert len(live.dms_to(LEADER)) == 1


async def test_ack_comes_before_slow_work(live: Live, seeded: Seeded) -> None:
    """Slack waits 3 s for an ack. With Slack's Web API stalled, the HTTP answer is still immediate
    and the DM goes out once Slack answers again."""
    gate = live.double.hold("chat.postMessage")
    # Slack's answer is held, so an ack that waited for the work would never come.
    status, body = await asyncio.wait_for(live.command(LEADER, "streak"), timeout=20)
    assert status == 200
    assert "direct messages" in body  # the person is told where the answer will be
    assert live.edge.busy  # the engine is still waiting on Slack
    gate.set()
    await live.settle()
    assert "modelling streak" in texts(live.dms_to(LEADER)[-1]["blocks"])


async def test_the_bots_own_messages_and_other_bots_are_ignored(live: Live, seeded: Seeded) -> None:
    await live.event({**DM_STREAK, "user": BOT_USER, "bot_id": BOT_ID})
    await live.event({**DM_STREAK, "user": "U0OTHER", "bot_id": "B0OTHER", "subtype": "bot_message"})
    await live.event({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": BOT_USER,
                      "bot_id": BOT_ID, "text": "posted by GoFirst", "ts": "1.2", "thread_ts": "1.1"})
    await live.settle()
    assert live.double.of("chat.postMessage") == []


async def test_bad_input_gets_a_4xx_or_a_clear_message_never_a_crash(live: Live, seeded: Seeded) -> None:
    status, _ = await live.send("payload=%7Bnot-json", "application/x-www-form-urlencoded")
    assert 400 <= status < 500
    status, _ = await live.send("{not json", "application/json")
    assert 400 <= status < 500
    status, _ = await live.send("{not json", "application/json", signature="v0=" + "1" * 64)
    assert status == 401  # the signature is checked before the body is believed
    # an unknown button (e.g. from an older version) gets a clear message, not silence
    status, _ = await live.click(LEADER, "something.removed", "1", "D0LEAD", "1.1")
    assert status == 200
    # a button on someone else's nudge does nothing to it
    status, _ = await live.click("U0SAM", "nudge.optout", "999", "D0SAM", "1.1")
    await live.settle()
    assert "didn't recognise that button" in texts(live.dms_to(LEADER)[-1]["blocks"])
    async with live.http.get(f"{live.url}/healthz") as response:
        assert response.status == 200  # still serving


async def test_concurrent_retries_race_and_one_wins(live: Live, seeded: Seeded) -> None:
    results = await asyncio.gather(*(live.event(DM_STREAK, event_id="Ev0RACE", retry=n or None) for n in range(4)))
    assert {status for status, _ in results} == {200}
    await live.settle()
    assert len(live.dms_to(LEADER)) == 1


async def test_a_slow_submit_closes_the_modal_in_time_and_finishes_after(live: Live, seeded: Seeded,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.slack.listeners import views
    from tests.slack.test_loop import FILLED

    monkeypatch.setattr(views, "ACK_BUDGET", 0.3)  # Slack's 3 s, scaled down so the test stays quick
    await live.command(LEADER, "share")
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    gate = live.double.hold("chat.postMessage")
    # The post is held, so an ack that waited for the work would never come: a bound, not a timing.
    status, body = await asyncio.wait_for(live.submit(LEADER, view, {**FILLED, "channel": CHANNEL}), timeout=20)
    assert status == 200 and "errors" not in body
    gate.set()
    await live.settle()
    assert "Preview" in texts(live.dms_to(LEADER)[-1]["blocks"])  # the work finished after the ack


async def test_old_event_ids_are_pruned(live: Live, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    seen = live.edge.seen
    assert await seen.first_time("Ev0OLD")
    clock.advance(timedelta(days=3))
    assert await seen.first_time("Ev0NEW")
    assert await seen.prune() == 1
    async with live.runtime.db.session() as session:
        assert [r.event_id for r in (await session.exec(select(SlackSeenEvent))).all()] == ["Ev0NEW"]
