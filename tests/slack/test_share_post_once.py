"""A share reaches the team's channel exactly once: whether the leader double-clicks Post, or the
process is interrupted after Slack took the post but before GoFirst recorded it."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.clock import FixedClock
from bot.delivery import send_now
from bot.delivery.worker import DeliveryWorker
from bot.engine.posting import ShareOutcome
from storage.tables import Share
from storage.tables.outbox import OutboxPost
from tests.slack.conftest import CHANNEL, LEADER, Live, Seeded
from tests.slack.test_loop import FILLED, button, texts


async def preview_post_button(live: Live, seeded: Seeded) -> str:
    nudge, _ = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    await live.click(LEADER, "nudge.share", str(nudge.id), nudge.channel_id, nudge.platform_message_id)
    await live.settle()
    await live.submit(LEADER, live.double.of("views.open")[-1].args["view"], {**FILLED, "channel": CHANNEL})
    await live.settle()
    return str(button(live.dms_to(LEADER)[-1]["blocks"], "share.post")["value"])


async def share_state(live: Live) -> tuple[str, str | None, str]:
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share))).one()
        post = (await session.exec(select(OutboxPost).where(OutboxPost.kind == "share_post"))).one()
    return share.status, share.platform_message_id, post.state


async def test_a_post_interrupted_between_slacks_answer_and_the_commit_goes_out_once(
        live: Live, seeded: Seeded, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    value = await preview_post_button(live, seeded)
    recorded = ShareOutcome.sent

    async def crash(*_args: object) -> None:  # the process dies before the recording commits
        raise ConnectionResetError("database connection lost")

    monkeypatch.setattr(ShareOutcome, "sent", crash)
    await live.click(LEADER, "share.post", value, "D0LEAD", "1.1")
    await live.settle()
    assert len(live.double.posts_to(CHANNEL)) == 1
    assert await share_state(live) == ("posting", None, "sending")

    monkeypatch.setattr(ShareOutcome, "sent", recorded)
    await live.click(LEADER, "share.post", value, "D0LEAD", "1.1")  # the leader presses Post again
    await live.settle()
    assert len(live.double.posts_to(CHANNEL)) == 1
    assert "already on its way" in texts(live.dms_to(LEADER)[-1]["blocks"])

    clock.advance(timedelta(minutes=3))  # past the lease: the worker finds it by its marker
    await DeliveryWorker(live.runtime.services).run_once()
    await live.settle()
    posted_ts = live.double.history[CHANNEL][-1]["ts"]
    assert len(live.double.posts_to(CHANNEL)) == 1
    assert await share_state(live) == ("posted", posted_ts, "sent")
    assert "Posted in #product-team" in texts(live.dms_to(LEADER)[-1]["blocks"])


async def test_a_post_that_never_reached_slack_is_sent_by_the_worker(
        live: Live, seeded: Seeded, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    value = await preview_post_button(live, seeded)
    from bot.delivery import posts

    async def dies_after_claim(services: object, post_id: int) -> bool:
        await posts._claim(live.runtime.services, post_id)  # claimed, then the process is gone
        return False

    monkeypatch.setattr(posts, "dispatch", dies_after_claim)
    await live.click(LEADER, "share.post", value, "D0LEAD", "1.1")
    await live.settle()
    monkeypatch.undo()
    assert live.double.posts_to(CHANNEL) == [] and (await share_state(live))[2] == "sending"
    clock.advance(timedelta(minutes=3))
    await DeliveryWorker(live.runtime.services).run_once()
    assert len(live.double.posts_to(CHANNEL)) == 1
    assert (await share_state(live))[0] == "posted"


async def test_a_double_click_on_post_posts_once(live: Live, seeded: Seeded) -> None:
    value = await preview_post_button(live, seeded)
    await asyncio.gather(*[live.click(LEADER, "share.post", value, "D0LEAD", "1.1") for _ in range(3)])
    await live.settle()
    assert len(live.double.posts_to(CHANNEL)) == 1
    assert (await share_state(live))[0] == "posted"
