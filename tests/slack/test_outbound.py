"""Outbound to Slack over real HTTP: 429 and 5xx retried as Slack asks; Slack's error codes turned
into something a person can act on; an uninstall or a revoked token stops every send."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import select

from bot.clock import FixedClock
from bot.delivery import send_now
from bot.delivery.digests import send_digest
from storage.tables import Person, Share, Workspace
from tests.slack.conftest import CHANNEL, LEADER, WORKSPACE, Live, Seeded
from tests.slack.double import Failure
from tests.slack.test_loop import FILLED, button, nudge_to_post, texts


async def workspace_active(live: Live) -> bool:
    async with live.runtime.db.session() as session:
        workspace = await session.get(Workspace, WORKSPACE)
    assert workspace is not None
    return workspace.active


async def test_a_429_is_waited_out_as_retry_after_asks(live: Live, seeded: Seeded) -> None:
    live.double.fail("chat.postMessage", Failure(status=429, retry_after=1))
    started = time.monotonic()
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    waited = time.monotonic() - started
    assert sent and nudge.state == "sent"
    assert len(live.double.posts_to(LEADER)) == 2 and 1.0 <= waited < 5.0


async def test_server_errors_are_retried(live: Live, seeded: Seeded) -> None:
    live.double.fail("chat.postMessage", Failure(status=500), Failure(status=503))
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert sent and len(live.double.posts_to(LEADER)) == 3


async def test_a_long_retry_after_is_not_waited_inside_a_request(live: Live, seeded: Seeded) -> None:
    live.double.fail("chat.postMessage", Failure(status=429, retry_after=120))
    started = time.monotonic()
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and nudge.state != "failed" and time.monotonic() - started < 5.0
    assert nudge.last_error == "ratelimited"  # open, to be tried again later


async def test_not_in_channel_tells_the_leader_how_to_invite_the_bot(live: Live, seeded: Seeded) -> None:
    live.double.members_of[CHANNEL] = set()  # GoFirst was never invited to #product-team
    await live.command(LEADER, "share")
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    await live.submit(LEADER, view, {**FILLED, "channel": CHANNEL})
    await live.settle()
    post = button(live.dms_to(LEADER)[-1]["blocks"], "share.post")
    await live.click(LEADER, "share.post", post["value"], "D0LEAD", "1.1")
    await live.settle()
    told = texts(live.dms_to(LEADER)[-1]["blocks"])
    assert "/invite @GoFirst" in told and "#product-team" in told
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share))).one()
    assert share.status == "draft"  # nothing lost: after the invite, Post works
    live.double.members_of[CHANNEL] = {"U0BOT"}
    await live.click(LEADER, "share.post", post["value"], "D0LEAD", "1.1")
    await live.settle()
    assert live.double.posts_to(CHANNEL)


async def test_account_inactive_stops_nudging_that_person(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    live.double.users[LEADER]["deleted"] = True
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and nudge.last_error == "account_inactive"
    async with live.runtime.db.session() as session:
        leader = await session.get(Person, seeded.leader_id)
    assert leader is not None and leader.inactive_reason == "account_inactive"
    calls = len(live.double.calls)
    clock.advance(timedelta(days=7))
    held, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and held.state == "held" and len(live.double.calls) == calls
    assert await workspace_active(live)  # one person gone is not the workspace gone


async def test_a_revoked_token_marks_the_installation_inactive(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    await live.command(LEADER, "help")
    await live.settle()
    live.double.valid_tokens.clear()  # an admin revoked the token in Slack
    await live.command(LEADER, "status")
    await live.settle()
    assert not await workspace_active(live)
    calls = len(live.double.calls)
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and nudge.state == "held" and len(live.double.calls) == calls


async def test_uninstall_stops_all_sends(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    _, share_id = await nudge_to_post(live, seeded)
    status, _ = await live.event({"type": "app_uninstalled"})
    assert status == 200
    await live.settle()
    assert not await workspace_active(live)
    calls = len(live.double.calls)

    clock.advance(timedelta(days=7))
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and nudge.state == "held"
    assert not await send_digest(live.runtime.services, share_id)  # refused, logged, not raised
    await live.event({"type": "app_home_opened", "user": LEADER, "tab": "home"})
    await live.settle()
    assert len(live.double.calls) == calls  # not one call to Slack after the uninstall


async def test_a_replaced_token_makes_the_workspace_active_again(live: Live, seeded: Seeded) -> None:
    live.double.valid_tokens.clear()
    await live.edge.check_token()  # start-up with a revoked token: reported, nothing changes
    assert await workspace_active(live)
    await live.edge.workspace_lost(WORKSPACE, "token_revoked")
    await live.settle()
    assert not await workspace_active(live)
    live.double.valid_tokens.add("xoxb-test-token")  # the operator put a working token in place
    await live.edge.check_token()
    assert await workspace_active(live)


async def test_tokens_revoked_for_the_bot_stops_sends_but_a_users_token_does_not(live: Live, seeded: Seeded) -> None:
    await live.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"]}})
    await live.settle()
    assert await workspace_active(live)
    await live.event({"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}})
    await live.settle()
    assert not await workspace_active(live)
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert not sent and nudge.state == "held" and live.double.of("chat.postMessage") == []
