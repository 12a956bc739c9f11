"""The whole loop in Slack, over real HTTP: nudge DM → modal → preview → channel post → thread
replies (edited, deleted) → digest → answer in the thread → streak, on SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

from bot.delivery import send_now
from bot.delivery.digests import send_digest
from storage.tables import Person, Reply, Share
from sqlmodel import select
from tests.slack.conftest import CHANNEL, JORDAN, LEADER, PRIYA, SAM, Live, Seeded

FILLED = {
    "try": "I'm trying to post my weekly update in the channel instead of by email",
    "why": "decisions get stuck in my inbox",
    "barrier": "honestly, time: it feels slower than email",
    "ask": "could you tell me what makes it hard for you?",
}


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["action_id"] == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {blocks}")


def texts(blocks: list[dict[str, Any]]) -> str:
    """Everything a person reads in a message, as one string."""
    found: list[str] = []
    for block in blocks:
        for part in [block.get("text")] + block.get("elements", []):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                found.append(part["text"])
            elif isinstance(part, dict) and isinstance(part.get("text"), dict):
                found.append(part["text"]["text"])
    return "\n".join(found)


async def nudge_to_post(live: Live, seeded: Seeded) -> tuple[str, int]:
    """From the nudge to the post in the channel; returns the post's ts and the share id."""
    double = live.double
    nudge, sent = await send_now(live.runtime.services, seeded.campaign_id, seeded.leader_id)
    assert sent and nudge.channel_id == "D0LEAD"
    nudge_dm = live.dms_to(LEADER)[-1]
    assert "Time to go first" in texts(nudge_dm["blocks"])
    share_now = button(nudge_dm["blocks"], "nudge.share")
    assert share_now["style"] == "primary"

    status, _ = await live.click(LEADER, "nudge.share", share_now["value"], nudge.channel_id, nudge.platform_message_id)
    assert status == 200
    await live.settle()
    view = double.of("views.open")[-1].args["view"]
    assert view["callback_id"] == "share" and [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == \
        ["try", "why", "barrier", "ask", "channel"]
    picker = next(b for b in view["blocks"] if b.get("block_id") == "channel")["element"]
    assert picker["type"] == "static_select" and picker["initial_option"]["value"] == CHANNEL

    # an empty field comes back as an error in the modal itself, not as a message
    status, body = await live.submit(LEADER, view, {**FILLED, "barrier": " ", "channel": CHANNEL})
    assert status == 200 and '"response_action":"errors"' in body.replace(" ", "") and "barrier" in body
    await live.settle()

    status, body = await live.submit(LEADER, view, {**FILLED, "channel": CHANNEL})
    assert status == 200 and "errors" not in body
    await live.settle()
    preview = live.dms_to(LEADER)[-1]
    assert "Preview" in texts(preview["blocks"]) and FILLED["barrier"] in texts(preview["blocks"])
    post = button(preview["blocks"], "share.post")

    await live.click(LEADER, "share.post", post["value"], "D0LEAD", "1.1")
    await live.settle()
    channel_post = double.posts_to(CHANNEL)[-1]
    assert "Alex Rivera is going first" in texts(channel_post.args["blocks"])
    assert "Reply in this thread" in texts(channel_post.args["blocks"])
    # the nudge's buttons were replaced by what the leader did
    update = [c.args for c in double.of("chat.update") if c.args["ts"] == nudge.platform_message_id][-1]
    assert not [b for b in update["blocks"] if b["type"] == "actions"]
    posted = [c for c in double.calls if c.method == "chat.postMessage" and c.args["channel"] == CHANNEL]
    thread_ts = posted[-1].args.get("thread_ts") or ""
    assert thread_ts == ""  # the share is a top-level post that starts the thread
    async with live.runtime.db.session() as session:
        share = (await session.exec(select(Share).where(Share.status == "posted"))).one()
    assert share.platform_message_id and share.id
    return share.platform_message_id, share.id


def reply(ts: str, user: str, text: str, thread: str) -> dict[str, Any]:
    return {"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": user, "text": text,
            "ts": ts, "thread_ts": thread, "event_ts": ts}


async def test_the_whole_loop_in_slack(live: Live, seeded: Seeded) -> None:
    thread, share_id = await nudge_to_post(live, seeded)
    for n, (user, text) in enumerate([(SAM, "My barrier is that IT blocks the app on my laptop"),
                                      (PRIYA, "I'm afraid of saying something wrong in public"),
                                      (JORDAN, "no time")]):
        status, _ = await live.event(reply(f"1764000100.00000{n}", user, text, thread))
        assert status == 200
    # a message in the channel but not in the share's thread is none of GoFirst's business
    await live.event(reply("1764000100.000009", SAM, "lunch?", "1764000000.999999"))
    await live.event({"type": "message", "subtype": "message_changed", "channel": CHANNEL, "channel_type": "channel",
                      "hidden": True, "ts": "1764000200.000001",
                      "message": {"type": "message", "user": JORDAN, "text": "no time, too many meetings",
                                  "ts": "1764000100.000002", "thread_ts": thread}})
    await live.event({"type": "message", "subtype": "message_deleted", "channel": CHANNEL, "channel_type": "channel",
                      "hidden": True, "ts": "1764000200.000002", "deleted_ts": "1764000100.000001"})
    await live.settle()

    assert await send_digest(live.runtime.services, share_id)
    digest = live.dms_to(LEADER)[-1]
    words = texts(digest["blocks"])
    assert "Your team answered" in words and "IT blocks the app" in words and "too many meetings" in words
    assert "afraid" not in words  # deleted in Slack, gone from the digest
    assert "Sam Okafor" in words  # names from the workspace, not raw user ids

    await live.command(LEADER, "streak")
    await live.settle()
    assert "Answer at least one reply" in texts(live.dms_to(LEADER)[-1]["blocks"])

    answer = button(digest["blocks"], "digest.answer")
    await live.click(LEADER, "digest.answer", answer["value"], "D0LEAD", "2.2")
    await live.settle()
    answer_view = live.double.of("views.open")[-1].args["view"]
    assert answer_view["callback_id"] == "answer"
    await live.submit(LEADER, answer_view, {"answer": "Thanks Sam, I'll ask IT"})
    await live.settle()
    in_thread = live.double.posts_to(CHANNEL)[-1].args
    assert in_thread["thread_ts"] == thread and "Thanks Sam, I'll ask IT" in texts(in_thread["blocks"])

    await live.command(LEADER, "streak")
    await live.settle()
    assert "1 week in a row" in texts(live.dms_to(LEADER)[-1]["blocks"])
    async with live.runtime.db.session() as session:
        replies = (await session.exec(select(Reply).where(Reply.share_id == share_id))).all()
        sam = (await session.exec(select(Person).where(Person.platform_user_id == SAM))).one()
    assert len(replies) == 3 and sam.display_name == "Sam Okafor"


async def test_new_people_get_their_name_and_timezone_from_slack(live: Live, seeded: Seeded) -> None:
    live.double.users["U0NEW"] = {"name": "Noor Haddad", "tz": "Asia/Dubai"}
    await live.command("U0NEW", "status")
    await live.settle()
    await live.command("U0NEW", "help")
    await live.settle()
    status = texts(live.dms_to("U0NEW")[0]["blocks"])
    assert "Asia/Dubai" in status
    assert len([c for c in live.double.of("users.info") if c.args["user"] == "U0NEW"]) == 1  # cached


async def test_a_command_typed_in_the_dm_and_the_app_home(live: Live, seeded: Seeded) -> None:
    await live.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                      "text": "snooze 2w", "ts": "1764000300.000001"})
    await live.event({"type": "app_home_opened", "user": LEADER, "channel": "D0LEAD", "tab": "home"})
    await live.event({"type": "app_home_opened", "user": "U0ADMIN", "channel": "D0ADMIN", "tab": "home"})
    await live.settle()
    assert "Snoozed until 2026-12-07" in texts(live.dms_to(LEADER)[-1]["blocks"])
    homes = {c.args["user_id"]: c.args["view"] for c in live.double.of("views.publish")}
    leader_home = texts(homes[LEADER]["blocks"])
    assert "modelling streak" in leader_home and "Campaigns" not in leader_home
    assert {b["action_id"] for b in (e for blk in homes[LEADER]["blocks"] for e in blk.get("elements", []))
            if "action_id" in b} == {"home.share", "home.snooze", "home.optout"}
    assert "Going first: active" in texts(homes["U0ADMIN"]["blocks"])

    # opting out from the Home button changes the Home at once
    await live.click(LEADER, "home.optout")
    await live.settle()
    assert "opted out" in texts(live.double.of("views.publish")[-1].args["view"]["blocks"])


async def test_share_typed_in_the_dm_offers_a_button_that_opens_the_modal(live: Live, seeded: Seeded) -> None:
    await live.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                      "text": "share", "ts": "1764000300.000002"})
    await live.settle()
    offer = live.dms_to(LEADER)[-1]["blocks"]
    assert button(offer, "home.share")
    await live.click(LEADER, "home.share", "", "D0LEAD", "3.3")
    await live.settle()
    assert live.double.of("views.open")[-1].args["view"]["callback_id"] == "share"
