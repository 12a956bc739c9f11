"""Honest unknowns: a write whose outcome is unknown (Slack stored the message, then the connection
reset, or Slack answered after the client gave up) is never blindly sent again. The nudge or post
stays `sending`; once its lease is over, recovery finds it by its marker and records it. Counted at
the Slack double: each message exactly once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from adapters.slack import client as slack_client
from bot.clock import FixedClock
from bot.delivery import send_now
from bot.delivery.worker import DeliveryWorker
from storage.tables import Nudge, Share
from tests.slack.conftest import (  # noqa: F401  (fixtures)
    CHANNEL, LEADER, Live, Seeded, double, live, seeded, slack_settings)
from tests.slack.double import SlackDouble
from tests.slack.test_share_post_once import preview_post_button


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack_client, "TIMEOUT", 1)  # the double's "slow" answer takes 2 s


def dms(double: SlackDouble) -> list[str]:
    return [m["ts"] for m in double.history["D0LEAD"] if m.get("bot_id")]


@pytest.mark.parametrize("fault", ["reset", "slow"])
async def test_a_nudge_whose_answer_was_lost_is_recorded_not_resent(
        live: Live, seeded: Seeded, clock: FixedClock, fault: str) -> None:
    live.double.after_store["chat.postMessage"].append(fault)
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and nudge.state == "sending" and "outcome unknown" in (nudge.last_error or "")
    assert len(dms(live.double)) == 1  # Slack has it

    worker = DeliveryWorker(live.runtime.services)
    await worker.run_once()  # inside the lease: nothing is resent
    clock.advance(timedelta(minutes=3))
    await worker.run_once()  # past the lease: looked up by its marker
    async with live.runtime.db.session() as session:
        stored = await session.get(Nudge, nudge.id)
    assert stored is not None and stored.state == "sent"
    assert dms(live.double) == [stored.platform_message_id]


@pytest.mark.parametrize("fault", ["reset", "slow"])
async def test_a_share_post_whose_answer_was_lost_goes_out_once(
        live: Live, seeded: Seeded, clock: FixedClock, fault: str) -> None:
    value = await preview_post_button(live, seeded)
    live.double.after_store["chat.postMessage"].append(fault)
    await live.click(LEADER, "share.post", value, "D0LEAD", "1.1")
    await live.settle()
    await live.click(LEADER, "share.post", value, "D0LEAD", "1.1")  # impatient: presses again
    await live.settle()
    clock.advance(timedelta(minutes=3))
    await DeliveryWorker(live.runtime.services).run_once()
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share))).one()
    posts = [m for m in live.double.history[CHANNEL] if m.get("bot_id")]
    assert len(posts) == 1 and share.status == "posted" and share.platform_message_id == posts[0]["ts"]
