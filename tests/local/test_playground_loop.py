"""The whole weekly loop through the playground's HTTP API, as the page drives it."""
from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.tables import AuditEntry, Campaign
from tests.local.conftest import Server

LEADER = "alex"
FILLED = {"try": "I'm going to post my weekly priorities in #product-team instead of email.",
          "why": "Decisions get stuck in my inbox and you can't see them.",
          "barrier": "Honestly, my barrier is time: writing in the open feels slower.",
          "ask": "Could you nudge me if I slip, and tell me what gets in your way?",
          "channel": "product-team"}


def texts(message: dict[str, Any]) -> list[str]:
    return [a["label"] for a in message["payload"]["message"]["actions"]]


def last(messages: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [m for m in messages if m["kind"] == kind]
    assert found, f"no {kind} among {[m['kind'] for m in messages]}"
    return found[-1]


async def click(server: Server, message: dict[str, Any], label_or_id: str, user: str = LEADER) -> None:
    payload = message["payload"]
    buttons = payload["message"]["actions"] if "message" in payload else []
    button = next(b for b in buttons if label_or_id in (b["label"], b["action_id"]))
    await server.post("/action", {"user": user, "message_id": message["message_id"],
                                  "action_id": button["action_id"], "value": button["value"]})


async def test_nudge_share_reply_digest_answer_streak(server: Server) -> None:
    # Dana starts the campaign: it becomes active and the change is audited as hers.
    _, started = await server.post("/admin/start")
    assert started["changed"] and started["admin"]["campaign"]["state"] == "active"
    async with server.runtime.db.session() as session:
        campaign = (await session.exec(select(Campaign))).one()
        audits = (await session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.started"))).all()
    assert campaign.state == "active" and [a.actor for a in audits] == ["dana"]

    # Nudge now: Alex's DM shows the nudge with its four buttons; a second press sends nothing new.
    _, nudged = await server.post("/admin/nudge")
    assert nudged["changed"] is True
    nudge = last(await server.dm(), "nudge")
    assert texts(nudge) == ["Share now", "Snooze a week", "Skip this week", "Not for me"]
    _, again = await server.post("/admin/nudge")
    assert again["changed"] is False and "already" in again["notice"]
    assert len([m for m in await server.dm() if m["kind"] == "nudge"]) == 1

    # Share now opens the form inline in the DM.
    await click(server, nudge, "Share now")
    form = last(await server.dm(), "form")
    assert [f["name"] for f in form["payload"]["form"]["fields"]] == ["try", "why", "barrier", "ask", "channel"]

    # Empty fields come back as the same form with an error under each of them.
    status, body = await server.post("/form", {"user": LEADER, "message_id": form["message_id"],
                                               "values": {"channel": "product-team"}}, status=422)
    errors = {f["name"]: f["error"] for f in body["form"]["fields"]}
    assert all(errors[name] for name in ("try", "why", "barrier", "ask")) and not errors["channel"]
    shown = last(await server.dm(), "form")
    assert shown["message_id"] == form["message_id"] and shown["payload"]["form"]["fields"][0]["error"]

    # Filled in: a preview in the DM, the form marked as sent.
    await server.post("/form", {"user": LEADER, "message_id": form["message_id"], "values": FILLED})
    dm = await server.dm()
    assert last(dm, "form")["payload"]["state"] == "submitted"
    preview = last(dm, "preview")
    assert "#product-team" in preview["payload"]["message"]["title"]
    assert FILLED["barrier"] in preview["payload"]["message"]["text"].split("\n")

    # Post: the share appears in the channel, and the nudge's buttons are gone.
    await click(server, preview, "share.post")
    posts = [m for m in await server.channel() if m["thread_id"] is None]
    assert len(posts) == 1 and posts[0]["kind"] == "share_post"
    assert posts[0]["payload"]["message"]["title"] == "Alex Rivera is going first"
    nudge_now = next(m for m in await server.dm() if m["message_id"] == nudge["message_id"])
    assert nudge_now["payload"]["message"]["actions"] == []
    thread = posts[0]["message_id"]

    # Three teammates reply; one edits, one deletes.
    replies = {}
    for user, text in (("sam", "My barrier is meetings all afternoon."),
                       ("priya", "IT blocks the wiki from home."),
                       ("jordan", "Not sure what to post.")):
        _, made = await server.post("/replies", {"user": user, "thread_id": thread, "text": text}, status=201)
        replies[user] = made["message"]["message_id"]
    await server.post("/replies/edit", {"user": "priya", "message_id": replies["priya"],
                                        "text": "IT blocks the wiki when I'm on VPN."})
    await server.post("/replies/delete", {"user": "jordan", "message_id": replies["jordan"]})
    thread_texts = [m["payload"]["text"] for m in await server.channel() if m["thread_id"] == thread]
    assert thread_texts == ["My barrier is meetings all afternoon.", "IT blocks the wiki when I'm on VPN."]

    # The digest lists the two remaining replies, as edited, each with an Answer button.
    await server.post("/admin/digest")
    digest = last(await server.dm(), "digest")
    facts = [(f["label"], f["value"]) for f in digest["payload"]["message"]["facts"]]
    assert facts == [("Sam Okafor", "My barrier is meetings all afternoon."),
                     ("Priya Nair", "IT blocks the wiki when I'm on VPN.")]
    assert texts(digest) == ["Answer Sam Okafor", "Answer Priya Nair", "Raise “IT or tool access” with HR"]

    # Answering Sam posts Alex's answer in the thread, and the week counts.
    await click(server, digest, "Answer Sam Okafor")
    answer_form = last(await server.dm(), "form")
    _, empty = await server.post("/form", {"user": LEADER, "message_id": answer_form["message_id"],
                                           "values": {"answer": "   "}}, status=422)
    assert empty["form"]["fields"][0]["error"] == "Write a few words back: even a thank-you closes the loop."
    await server.post("/form", {"user": LEADER, "message_id": answer_form["message_id"],
                                "values": {"answer": "Thanks Sam: I'll move my updates to the morning."}})
    in_thread = [m for m in await server.channel() if m["thread_id"] == thread]
    assert in_thread[-1]["kind"] == "answer"
    assert in_thread[-1]["payload"]["message"]["text"] == "Thanks Sam: I'll move my updates to the morning."

    await server.post("/command", {"user": LEADER, "text": "streak"})
    streak = last(await server.dm(), "streak")
    assert streak["payload"]["message"]["text"].startswith("1 week in a row")
    state = await server.get("/state")
    assert state["admin"]["streak"]["current"] == 1
    # What Alex typed shows in the DM too, as Alex's.
    assert any(m["kind"] == "command" and m["author"] == LEADER and m["payload"]["text"] == "streak"
               for m in state["messages"])
