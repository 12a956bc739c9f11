"""The weekly loop in Teams, over real HTTP: activities POSTed to a live server, cards caught by the
Bot Connector double. Digests come on their own after the delay and only inside working hours, a
second batch makes one more, a barrier told privately shows only after the third teammate answered,
duplicate submissions count once, and a teammate's erase leaves the leader's digest."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from bot.clock import FixedClock
from bot.delivery.worker import DeliveryWorker
from tests.teams.conftest import CHANNEL, LEADER, MEMBER, PERSONAL, Live, card_of, card_text, submit_data
from tests.teams.test_flow import FILLED

PRIYA = {"id": "29:priya", "name": "Priya Nair", "aadObjectId": "aad-priya"}
JORDAN = {"id": "29:jordan", "name": "Jordan Lee", "aadObjectId": "aad-jordan"}


def at(hour: int, days: int = 0) -> datetime:
    """From Tuesday 2026-11-24 (the test clock's day; London is on UTC in November)."""
    return datetime(2026, 11, 24, hour, tzinfo=timezone.utc) + timedelta(days=days)


def digests(live: Live) -> list[str]:
    return [card_text(c) for c in live.connector.cards(PERSONAL["alex"]) if "Your team answered" in card_text(c)]


async def posted(live: Live) -> str:
    """Alex installs GoFirst, shares and posts; returns the post's activity id (the thread root)."""
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    await live.say(LEADER, "share")
    form_id, form = live.last_card(LEADER)
    await live.submit(LEADER, form_id, {**submit_data(form), **FILLED, "channel": CHANNEL})
    preview_id, preview = live.last_card(LEADER)
    await live.submit(LEADER, preview_id, submit_data(preview, action_id="share.post"))
    return [c for c in live.connector.sent(CHANNEL, "POST") if c.body.get("attachments")][-1].activity_id


async def reply(live: Live, root: str, who: dict[str, str], text: str) -> None:
    response = await live.post(live.activity("message", who, live.channel(root=root), text=text,
                                             channelData=live.team_data))
    assert response.status in (200, 201)


async def worker_at(live: Live, clock: FixedClock, when: datetime) -> None:
    clock.set(when)
    await DeliveryWorker(live.runtime.services).run_once()


async def test_replies_make_one_digest_after_the_delay_never_at_night_and_one_more_the_next_day(
        live: Live, clock: FixedClock) -> None:
    root = await posted(live)  # Tuesday 10:00
    for who, text in ((MEMBER, "IT blocks the app"), (PRIYA, "no time"), (JORDAN, "afraid of mistakes")):
        await reply(live, root, who, text)
    await worker_at(live, clock, at(13))
    assert digests(live) == []
    await worker_at(live, clock, at(14))
    await worker_at(live, clock, at(15))
    [first] = digests(live)
    assert all(name in first for name in ("Sam Okafor", "Priya Nair", "Jordan Lee"))
    await reply(live, root, MEMBER, "and the VPN at home")
    for when in (at(16), at(21), at(3, days=1)):  # the same working day, then night
        await worker_at(live, clock, when)
    assert len(digests(live)) == 1
    await worker_at(live, clock, at(9, days=1))
    assert len(digests(live)) == 2 and "and the VPN at home" in digests(live)[1]


async def test_a_private_barrier_waits_for_the_third_teammate_and_a_double_submit_keeps_one(
        live: Live, clock: FixedClock) -> None:
    root = await posted(live)
    post = [card_of(c.body) for c in live.connector.sent(CHANNEL, "POST") if c.body.get("attachments")][-1]
    assert "Tell Alex Rivera privately" in card_text(post)
    clicked = await live.submit(JORDAN, root, submit_data(post, action_id="share.tell"), live.channel(root=root))
    assert clicked.status in (200, 201)
    created = [c for c in live.connector.sent(method="CREATE") if c.body["members"][0]["id"] == JORDAN["id"]]
    chat = created[-1].conversation
    form_call = [c for c in live.connector.sent(chat, "POST") if c.body.get("attachments")][-1]
    form = card_of(form_call.body)
    value = {**submit_data(form), "barrier": "I worry this reads as a complaint"}
    conversation = {"conversationType": "personal", "id": chat}
    answers = await asyncio.gather(live.submit(JORDAN, form_call.activity_id, value, conversation),
                                   live.submit(JORDAN, form_call.activity_id, value, conversation))
    assert all(a.status in (200, 201) for a in answers)
    thanks = [c for c in live.connector.cards(chat) if "will see it without your name" in card_text(c)]
    assert len(thanks) == 1

    await reply(live, root, MEMBER, "IT blocks the app")
    await live.say(LEADER, "digest")
    assert "complaint" not in digests(live)[-1]
    await reply(live, root, PRIYA, "no time")
    await live.say(LEADER, "digest")
    assert "Someone said" in digests(live)[-1] and "I worry this reads as a complaint" in digests(live)[-1]


async def test_a_teammates_erase_takes_their_reply_out_of_the_leaders_digest(live: Live) -> None:
    root = await posted(live)
    await reply(live, root, MEMBER, "IT blocks the app")
    await reply(live, root, PRIYA, "no time")
    await live.say(LEADER, "digest")
    digest_id = [c for c in live.connector.sent(PERSONAL["alex"], "POST")
                 if c.body.get("attachments") and "Your team answered" in card_text(card_of(c.body))][-1].activity_id
    await live.install_personal(MEMBER)
    await live.say(MEMBER, "erase")
    offer_id, offer = live.last_card(MEMBER)
    await live.submit(MEMBER, offer_id, submit_data(offer, action_id="privacy.erase"))
    rewritten = [c for c in live.connector.sent(PERSONAL["alex"], "PUT") if c.activity_id == digest_id][-1]
    assert "IT blocks the app" not in card_text(card_of(rewritten.body))
    assert "no time" in card_text(card_of(rewritten.body))
