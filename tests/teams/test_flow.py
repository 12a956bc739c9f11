"""The coach in Teams, over real HTTP: activities POSTed to /api/messages of a live server, answers
caught by a Bot Connector double at the activity's serviceUrl."""
from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from bot.core.messages import Message
from bot.delivery import send_now
from bot.delivery.digests import send_digest
from storage.repositories.people import find_person
from storage.tables import Campaign, Reply, Share
from tests.teams.conftest import (
    BOT,
    CHANNEL,
    LEADER,
    MEMBER,
    PERSONAL,
    WORKSPACE,
    Live,
    card_of,
    card_text,
    submit_data,
)


def inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in card["body"] if item["type"].startswith("Input.")]


async def campaign_for(live: Live, who: dict[str, str]) -> tuple[int, int]:
    """A campaign nudging this person, who must already be known to GoFirst."""
    async with live.runtime.db.session() as session:
        person = await find_person(session, WORKSPACE, who["id"])
        if person is None:
            from storage.repositories.people import ensure_person

            person = await ensure_person(session, WORKSPACE, who["id"], who["name"])
        campaign = Campaign(workspace_id=WORKSPACE, name="Going first", pack="going-first", state="active",
                            audience_kind="leaders", audience_ids=[who["id"]])
        session.add(campaign)
        await session.flush()
        assert campaign.id is not None and person.id is not None
        return campaign.id, person.id


async def test_install_then_help_answers_in_the_personal_chat(live: Live) -> None:
    await live.install_personal(LEADER)
    home = live.connector.cards(PERSONAL["alex"])
    assert len(home) == 1 and "Alex Rivera" in card_text(home[0])

    response = await live.say(LEADER, "<at>GoFirst</at> help")
    assert response.status in (200, 201)
    _, card = live.last_card(LEADER)
    text = card_text(card)
    for command in ("share", "streak", "snooze", "optout", "optin", "status"):
        assert command in text


FILLED = {
    "try": "I'm trying to post my weekly update in the channel instead of by email",
    "why": "decisions get stuck in my inbox",
    "barrier": "honestly, time: it feels slower than email",
    "ask": "could you tell me what makes it hard for you?",
}


async def test_share_form_validates_then_posts_to_the_channel_and_records_thread_replies(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)  # the installer leads the team's channel
    assert live.connector.sent(CHANNEL, "POST"), "the channel is greeted on install"

    await live.say(LEADER, "share")
    form_id, form = live.last_card(LEADER)
    assert [i["id"] for i in inputs(form)] == ["try", "why", "barrier", "ask", "channel"]
    channel_input = inputs(form)[-1]
    assert channel_input["type"] == "Input.ChoiceSet" and channel_input["value"] == CHANNEL

    # an empty field: the same card comes back in place with the error under the field
    posts_before = len(live.connector.sent(PERSONAL["alex"], "POST"))
    data = submit_data(form)
    response = await live.submit(LEADER, form_id, {**data, **FILLED, "why": "  ", "channel": CHANNEL})
    assert response.status in (200, 201)
    update = live.connector.sent(PERSONAL["alex"], "PUT")[-1]
    assert update.activity_id == form_id
    assert "Input.Text" in str(card_of(update.body)) and "why" in card_text(card_of(update.body)).lower()
    assert len(live.connector.sent(PERSONAL["alex"], "POST")) == posts_before, "no new card stacked"

    # filled in: the form turns read-only in place, the preview arrives with Post / Edit
    await live.submit(LEADER, form_id, {**data, **FILLED, "channel": CHANNEL})
    update = live.connector.sent(PERSONAL["alex"], "PUT")[-1]
    assert update.activity_id == form_id and "actions" not in card_of(update.body)
    assert "decisions get stuck in my inbox" in card_text(card_of(update.body))
    preview_id, preview = live.last_card(LEADER)
    assert "honestly, time" in card_text(preview)

    await live.submit(LEADER, preview_id, submit_data(preview, action_id="share.post"))
    post = [c for c in live.connector.sent(CHANNEL, "POST") if c.body.get("attachments")][-1]
    settled = live.connector.sent(PERSONAL["alex"], "PUT")[-1]  # the preview loses its buttons
    assert settled.activity_id == preview_id and "actions" not in card_of(settled.body)
    assert "Alex Rivera" in card_text(card_of(post.body))
    assert "honestly, time: it feels slower than email" in card_text(card_of(post.body))
    assert "Reply in this thread" in card_text(card_of(post.body))
    assert post.path.endswith(f"/{CHANNEL}/activities"), "a new thread, not a reply to some message"

    # a reply in the post's thread (Teams: conversation id `<channel>;messageid=<root>`) is recorded
    reply = live.activity("message", MEMBER, live.channel(root=post.activity_id),
                          text="<p>my barrier is IT blocking the app</p>",
                          channelData=live.team_data)
    assert (await live.post(reply)).status in (200, 201)
    assert (await live.post(reply)).status in (200, 201)  # Teams retried: still one reply
    other = live.activity("message", MEMBER, live.channel(root="999"), text="lunch?", channelData=live.team_data)
    await live.post(other)
    async with live.runtime.db.session() as session:
        replies = (await session.exec(select(Reply))).all()
    assert [r.text for r in replies] == ["my barrier is IT blocking the app"]

    await live.say(LEADER, "streak")
    _, streak = live.last_card(LEADER)
    assert "streak" in card_text(streak).lower()


async def test_a_nudge_goes_out_proactively_and_its_buttons_update_it_in_place(live: Live) -> None:
    await live.install_personal(LEADER)
    campaign_id, leader_id = await campaign_for(live, LEADER)
    nudge, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    assert sent and nudge.channel_id == PERSONAL["alex"]
    nudge_id, card = live.last_card(LEADER)
    assert nudge.platform_message_id == nudge_id
    assert {a["title"] for a in card["actions"]} >= {"Snooze a week"} or len(card["actions"]) == 4

    posts_before = len(live.connector.sent(PERSONAL["alex"], "POST"))
    await live.submit(LEADER, nudge_id, submit_data(card, action_id="nudge.snooze"))
    update = live.connector.sent(PERSONAL["alex"], "PUT")[-1]
    assert update.activity_id == nudge_id and "actions" not in card_of(update.body)
    assert len(live.connector.sent(PERSONAL["alex"], "POST")) == posts_before


async def test_a_person_without_a_chat_yet_gets_one_opened(live: Live) -> None:
    await live.install_team(LEADER)  # only the team install: no 1:1 chat reference for Alex
    created = live.connector.sent(method="CREATE")
    assert created and created[0].body["members"][0]["id"] == LEADER["id"]
    chat = created[0].conversation
    assert "GoFirst is now in" in card_text(live.connector.cards(chat)[-1])
    campaign_id, leader_id = await campaign_for(live, LEADER)
    _, sent = await send_now(live.runtime.services, campaign_id, leader_id)
    assert sent and len(live.connector.sent(method="CREATE")) == 1  # the opened chat is reused
    assert live.connector.cards(chat)[-1]["actions"]


async def test_a_command_at_the_bot_in_a_channel_is_answered_privately(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    mention = [{"type": "mention", "mentioned": BOT, "text": "<at>GoFirst</at>"}]
    asked = live.activity("message", LEADER, live.channel(root="555"), text="<at>GoFirst</at> status",
                          entities=mention, channelData=live.team_data)
    await live.post(asked)
    _, status = live.last_card(LEADER)
    assert "Product team" in card_text(status) or "#" in card_text(status)
    pointer = live.connector.sent(f"{CHANNEL};messageid=555", "POST")
    assert pointer and "personal chat" in pointer[-1].body["text"]
    # without the @mention a word like "status" in a channel is just conversation
    calls = len(live.connector.calls)
    await live.post(live.activity("message", MEMBER, live.channel(root="556"), text="status",
                                  channelData=live.team_data))
    assert len(live.connector.calls) == calls


async def test_edits_and_deletions_in_the_thread_follow_the_reply(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    async with live.runtime.db.session() as session:
        leader = await find_person(session, WORKSPACE, LEADER["id"])
        assert leader is not None
        share = Share(workspace_id=WORKSPACE, leader_id=leader.id or 0, status="posted", channel_id=CHANNEL,
                      platform_message_id="900", try_text="t", why_text="w", barrier_text="b", ask_text="a")
        session.add(share)
    thread = live.channel(root="900")
    await live.post(live.activity("message", MEMBER, thread, id="901", text="no time", channelData=live.team_data))
    await live.post(live.activity("messageUpdate", MEMBER, thread, id="901", text="<p>no time, too many meetings</p>",
                                  channelData={**live.team_data, "eventType": "editMessage"}))
    async with live.runtime.db.session() as session:
        assert [r.text for r in (await session.exec(select(Reply))).all()] == ["no time, too many meetings"]
    await live.post(live.activity("messageDelete", MEMBER, thread, id="901",
                                  channelData={**live.team_data, "eventType": "softDeleteMessage"}))
    async with live.runtime.db.session() as session:
        assert (await session.exec(select(Reply))).all() == []


async def test_a_double_clicked_submit_makes_one_preview(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    await live.say(LEADER, "share")
    form_id, form = live.last_card(LEADER)
    value = {**submit_data(form), **FILLED, "channel": CHANNEL}
    first, second = await asyncio.gather(live.submit(LEADER, form_id, value), live.submit(LEADER, form_id, value))
    assert first.status in (200, 201) and second.status in (200, 201)
    await live.submit(LEADER, form_id, value)  # and once more, after it was accepted
    previews = [c for c in live.connector.cards(PERSONAL["alex"]) if "honestly, time" in card_text(c)]
    assert len(previews) == 1
    async with live.runtime.db.session() as session:
        assert len((await session.exec(select(Share))).all()) == 1


async def test_the_digest_answer_goes_into_the_posts_thread(live: Live) -> None:
    await live.install_personal(LEADER)
    await live.install_team(LEADER)
    await live.say(LEADER, "share")
    form_id, form = live.last_card(LEADER)
    await live.submit(LEADER, form_id, {**submit_data(form), **FILLED, "channel": CHANNEL})
    preview_id, preview = live.last_card(LEADER)
    await live.submit(LEADER, preview_id, submit_data(preview, action_id="share.post"))
    root = [c for c in live.connector.sent(CHANNEL, "POST") if c.body.get("attachments")][-1].activity_id
    await live.post(live.activity("message", MEMBER, live.channel(root=root), text="IT blocks the app",
                                  channelData=live.team_data))
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share))).one()
    assert await send_digest(live.runtime.services, share.id or 0)
    digest_id, digest = live.last_card(LEADER)
    assert "IT blocks the app" in card_text(digest) and "Sam Okafor" in card_text(digest)

    await live.submit(LEADER, digest_id, submit_data(digest, action_id="digest.answer"))
    answer_id, answer_form = live.last_card(LEADER)
    assert answer_id != digest_id, "the digest stays: it may hold more replies to answer"
    await live.submit(LEADER, answer_id, {**submit_data(answer_form), "answer": "Thanks Sam, I'll ask IT"})
    in_thread = live.connector.sent(f"{CHANNEL};messageid={root}", "POST")
    assert in_thread and "Thanks Sam, I'll ask IT" in card_text(card_of(in_thread[-1].body))
    await live.say(LEADER, "streak")
    assert "1 week" in card_text(live.last_card(LEADER)[1])


async def test_home_controls_refresh_the_home_card_in_place(live: Live) -> None:
    await live.install_personal(LEADER)
    home_id, home = live.last_card(LEADER)
    posts = len(live.connector.cards(PERSONAL["alex"]))
    await live.submit(LEADER, home_id, submit_data(home, action_id="home.optout"))
    update = live.connector.sent(PERSONAL["alex"], "PUT")[-1]
    assert update.activity_id == home_id and len(live.connector.cards(PERSONAL["alex"])) == posts
    refreshed = card_of(update.body)
    submit_data(refreshed, action_id="home.optin")  # the control flipped
    async with live.runtime.db.session() as session:
        person = await find_person(session, WORKSPACE, LEADER["id"])
        assert person is not None and person.opted_out


async def test_proactive_sends_share_one_connection_to_the_connector(live: Live) -> None:
    """botbuilder builds a connector client per send; they all go through one kept-alive pool
    (before, every nudge opened a TCP connection of its own)."""
    await live.install_personal(LEADER)
    await live.install_personal(MEMBER)
    before = len(live.connector.calls)
    for who in ("alex", "sam", "alex"):
        await live.edge.platform.send_dm(WORKSPACE, {"alex": LEADER, "sam": MEMBER}[who]["id"],
                                         Message(kind="info", text=f"hello {who}"))
    sends = live.connector.calls[before:]
    assert [c.conversation for c in sends] == [PERSONAL["alex"], PERSONAL["sam"], PERSONAL["alex"]]
    assert len({c.peer for c in sends}) == 1
