"""Rate limits as shared state: after Slack answers one DM with 429 and a long Retry-After, no
other DM of that workspace goes to Slack until the pause is over: not from this worker, and not
from another replica on the same database. The held nudges are deferred, not failed."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from sqlmodel import select

from adapters.slack.platform import SlackPlatform
from bot.clock import FixedClock
from bot.copy import load_copy
from bot.core.messages import Message
from bot.core.port import DeliveryError
from bot.delivery.pauses import Pauses
from bot.delivery.worker import DeliveryWorker
from bot.scheduling.ticks import plan_campaign
from storage.db import Database
from storage.repositories.people import ensure_person
from storage.tables import Campaign, Nudge
from storage.tables.scheduling import NudgeDelivery
from tests.slack.conftest import (  # noqa: F401  (fixtures)
    ADMIN, LEADER, SAM, WORKSPACE, Live, Seeded, double, live, seeded, slack_settings)
from tests.slack.double import BOT_TOKEN, Failure


async def test_a_429_pauses_the_method_for_every_sender_and_every_replica(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    services = live.runtime.services
    async with services.db.session() as session:
        campaign = await session.get(Campaign, seeded.campaign_id)
        assert campaign is not None
        campaign.audience_ids = [LEADER, SAM, ADMIN]  # all in London: all due now
        campaign.created_at = clock.now() - timedelta(days=1)
        session.add(campaign)
    assert (await plan_campaign(services, seeded.campaign_id)).planned == 3
    live.double.fail("chat.postMessage", Failure(status=429, retry_after=60))

    await DeliveryWorker(services).run_once()
    assert len(live.double.of("chat.postMessage")) == 1  # the other two never reached Slack
    async with services.db.session() as session:
        rows = (await session.exec(select(Nudge, NudgeDelivery).join(
            NudgeDelivery, NudgeDelivery.nudge_id == Nudge.id))).all()  # type: ignore[arg-type]
    assert {n.state for n, _ in rows} == {"retry"}
    assert all(d.not_before and d.not_before >= clock.now() + timedelta(seconds=59) for _, d in rows)

    # another replica (its own process memory, the same database) learns the pause from the table
    other = SlackPlatform(Database(services.db.url), load_copy("en", "slack"), token=BOT_TOKEN,
                          base_url=live.double.url, pauses=Pauses(Database(services.db.url)))
    calls = len(live.double.calls)
    with pytest.raises(DeliveryError, match="rate limited") as refused:
        await other.send_dm(WORKSPACE, SAM, Message(text="hi"))
    assert (refused.value.retry_after or 0) > 50 and not refused.value.permanent
    assert len(live.double.calls) == calls
    await other.db.dispose()
    await other.pauses.db.dispose()


async def test_a_short_429_is_waited_out_once_for_everyone(live: Live, seeded: Seeded) -> None:
    async with live.runtime.db.session() as session:
        await ensure_person(session, WORKSPACE, SAM)
    live.double.fail("chat.postMessage", Failure(status=429, retry_after=1))
    platform = live.edge.platform
    started = time.monotonic()
    await asyncio.gather(platform.send_dm(WORKSPACE, LEADER, Message(text="one")),
                         platform.send_dm(WORKSPACE, SAM, Message(text="two")))
    assert time.monotonic() - started >= 1.0
    posts = live.double.of("chat.postMessage")
    assert len(posts) == 3  # one refused, then each DM once: nobody hammered Slack during the pause
