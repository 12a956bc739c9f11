"""The weekly loop in a real Slack workspace, over real HTTP against the Slack double: digests on their
own (after the delay, never at night or on a quiet day, one more for a second batch), a barrier told
privately shown only after the third teammate answered, concurrent duplicate submissions of every
form with one effect, and a teammate's erase taken out of the leader's digest."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlmodel import select

from adapters.slack.blocks import sender_identity
from bot.clock import FixedClock
from bot.core.messages import Message
from bot.delivery.worker import DeliveryWorker
from storage.tables.outbox import OutboxPost
from tests.slack.conftest import CHANNEL, JORDAN, LEADER, PRIYA, SAM, Live, Seeded
from tests.slack.test_loop import FILLED, button, nudge_to_post, reply, texts


def digests(live: Live) -> list[str]:
    return [texts(d["blocks"]) for d in live.dms_to(LEADER) if "Your team answered" in texts(d["blocks"])]


async def worker_at(live: Live, clock: FixedClock, when: datetime) -> None:
    clock.set(when)
    await DeliveryWorker(live.runtime.services).run_once()
    await live.settle()


def tuesday(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """The test clock's Tuesday 2026-11-24 (London is on UTC in November)."""
    return datetime(2026, 11, 24, hour, minute, tzinfo=timezone.utc) + timedelta(days=days)


async def replies(live: Live, thread: str, *who: tuple[str, str], start: int = 0) -> None:
    for n, (user, text) in enumerate(who, start=start):
        status, _ = await live.event(reply(f"1764000100.{n:06d}", user, text, thread))
        assert status == 200
    await live.settle()


async def test_three_replies_one_digest_after_the_delay_and_one_more_for_a_second_batch(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    thread, _ = await nudge_to_post(live, seeded)  # Tuesday 10:00
    await replies(live, thread, (SAM, "IT blocks the app"), (PRIYA, "no time"), (JORDAN, "afraid of mistakes"))
    await worker_at(live, clock, tuesday(13, 59))
    assert digests(live) == []
    await worker_at(live, clock, tuesday(14))
    await worker_at(live, clock, tuesday(14, 1))
    [first] = digests(live)
    assert all(name in first for name in ("Sam Okafor", "Priya Nair", "Jordan Lee"))
    digest = [d for d in live.dms_to(LEADER) if "Your team answered" in texts(d["blocks"])][0]
    assert {b["text"]["text"] for b in (e for blk in digest["blocks"] for e in blk.get("elements", []))
            if b.get("action_id") == "digest.answer"} == {"Answer Sam Okafor", "Answer Priya Nair", "Answer Jordan Lee"}

    await replies(live, thread, (SAM, "and the VPN"), start=10)
    await worker_at(live, clock, tuesday(16))
    await worker_at(live, clock, tuesday(23))
    assert len(digests(live)) == 1
    await worker_at(live, clock, tuesday(9, days=1))
    assert len(digests(live)) == 2 and "and the VPN" in digests(live)[1] and "IT blocks" not in digests(live)[1]


async def test_no_digest_at_night_or_on_a_quiet_day(live: Live, seeded: Seeded, clock: FixedClock) -> None:
    clock.set(tuesday(15, days=3))  # Friday 15:00: four hours later is after work
    thread, _ = await nudge_to_post(live, seeded)
    await replies(live, thread, (SAM, "no time"))
    for when in (tuesday(19, days=3), tuesday(2, days=4), tuesday(12, days=4), tuesday(12, days=5)):
        await worker_at(live, clock, when)
    assert digests(live) == []
    await worker_at(live, clock, tuesday(9, days=6))  # Monday morning
    assert len(digests(live)) == 1


async def open_view(live: Live, user: str, action_id: str, value: str, channel: str, ts: str) -> dict[str, Any]:
    before = len(live.double.of("views.open"))
    await live.click(user, action_id, value, channel, ts)
    await live.settle()
    assert len(live.double.of("views.open")) == before + 1
    return dict(live.double.of("views.open")[-1].args["view"])


async def submit_twice(live: Live, user: str, view: dict[str, Any], values: dict[str, str]) -> None:
    answers = await asyncio.gather(live.submit(user, view, values), live.submit(user, view, values))
    assert [status for status, _ in answers] == [200, 200]
    await live.settle()


async def test_a_private_barrier_shows_only_after_the_third_teammate_and_every_form_counts_once(
        live: Live, seeded: Seeded, clock: FixedClock) -> None:
    thread, share_id = await nudge_to_post(live, seeded)
    post = live.double.posts_to(CHANNEL)[0].args
    assert "Tell Alex Rivera privately" in texts(post["blocks"]) and "HR only ever sees" in texts(post["blocks"])
    tell = button(post["blocks"], "share.tell")
    view = await open_view(live, JORDAN, "share.tell", tell["value"], CHANNEL, thread)
    assert view["callback_id"] == "private"
    await submit_twice(live, JORDAN, view, {"barrier": "I worry this reads as a complaint"})
    assert len([d for d in live.dms_to(JORDAN) if "will see it without your name" in texts(d["blocks"])]) == 1

    await replies(live, thread, (SAM, "IT blocks the app"))
    await live.command(LEADER, "digest")
    await live.settle()
    assert "complaint" not in digests(live)[-1] and "Someone said" not in digests(live)[-1]
    await replies(live, thread, (PRIYA, "no time"), start=1)
    await live.command(LEADER, "digest")
    await live.settle()
    assert "Someone said" in digests(live)[-1] and "I worry this reads as a complaint" in digests(live)[-1]

    digest = [d for d in live.dms_to(LEADER) if "Your team answered" in texts(d["blocks"])][-1]
    answer = await open_view(live, LEADER, "digest.answer", button(digest["blocks"], "digest.answer")["value"],
                             "D0LEAD", "3.3")
    await submit_twice(live, LEADER, answer, {"answer": "Thanks Priya, I'll block time"})
    assert len([c for c in live.double.posts_to(CHANNEL) if c.args.get("thread_ts") == thread]) == 1


async def test_a_share_modal_submitted_twice_at_once_makes_one_preview(live: Live, seeded: Seeded) -> None:
    await live.command(LEADER, "share")
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    await submit_twice(live, LEADER, view, {**FILLED, "channel": CHANNEL})
    previews = [d for d in live.dms_to(LEADER) if "Preview" in texts(d["blocks"])]
    assert len(previews) == 1
    assert any("That preview is already in your messages" in texts(d["blocks"]) for d in live.dms_to(LEADER))


async def test_a_teammates_erase_rewrites_the_leaders_digest_without_them(live: Live, seeded: Seeded) -> None:
    thread, _ = await nudge_to_post(live, seeded)
    await replies(live, thread, (SAM, "IT blocks the app"), (PRIYA, "no time"))
    await live.command(LEADER, "digest")
    await live.settle()
    await live.command(SAM, "erase")
    await live.settle()
    offer = live.dms_to(SAM)[-1]
    await live.click(SAM, "privacy.erase", button(offer["blocks"], "privacy.erase")["value"], "D0SAM", "4.4")
    await live.settle()
    assert "Erased:" in texts(live.dms_to(SAM)[-1]["blocks"])
    rewritten = [c.args for c in live.double.of("chat.update") if c.args["ts"] == await digest_ts(live)][-1]
    assert "IT blocks the app" not in texts(rewritten["blocks"]) and "no time" in texts(rewritten["blocks"])


async def digest_ts(live: Live) -> str:
    """Where Slack put the digest the leader got (recorded by the outbox)."""
    async with live.runtime.db.session() as session:
        post = (await session.exec(select(OutboxPost).where(OutboxPost.kind == "digest"))).one()
    assert post.sent_message_id
    return post.sent_message_id


def test_a_share_post_speaks_in_the_leaders_name() -> None:
    assert sender_identity(Message(text="t", kind="share_post", sender="Alex Rivera")) == \
        {"username": "Alex Rivera via GoFirst", "icon_emoji": ":speech_balloon:"}
    assert sender_identity(Message(text="t")) == {}
