"""Over real HTTP: the same request sent twice at once (a double click, a retry) has one effect and
the second answer says what happened, for every form and button of the playground."""
from __future__ import annotations

import asyncio
from typing import Any

from tests.local.conftest import Server
from tests.local.test_playground_loop import FILLED, LEADER, last

FORM_SENT = "was already sent, so it wasn't sent twice"


async def twice(server: Server, path: str, body: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return list(await asyncio.gather(server.post(path, body, status=None), server.post(path, body, status=None)))


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(a for a in message["payload"]["message"]["actions"] if a["action_id"] == action_id)


async def press_twice(server: Server, message: dict[str, Any], action_id: str, user: str = LEADER) -> None:
    action = button(message, action_id)
    answers = await twice(server, "/action", {"user": user, "message_id": message["message_id"],
                                              "action_id": action_id, "value": action["value"]})
    assert [status for status, _ in answers] == [200, 200]


async def submit_twice(server: Server, form: dict[str, Any], values: dict[str, str], user: str = LEADER) -> None:
    answers = await twice(server, "/form", {"user": user, "message_id": form["message_id"], "values": values})
    assert sorted(status for status, _ in answers) == [200, 409]
    assert any(FORM_SENT in body.get("error", "") for _, body in answers)


async def shared(server: Server) -> tuple[str, dict[str, Any]]:
    """Campaign started, nudged twice at once, shared through forms and buttons each pressed twice."""
    await server.post("/admin/start")
    answers = await twice(server, "/admin/nudge", {})
    assert sorted(body["changed"] for _, body in answers) == [False, True]
    nudge = last(await server.dm(), "nudge")
    await press_twice(server, nudge, "nudge.share")
    forms = [m for m in await server.dm() if m["kind"] == "form"]
    assert len(forms) == 1  # the same form, shown once
    await submit_twice(server, forms[0], FILLED)
    assert len([m for m in await server.dm() if m["kind"] == "preview"]) == 1
    await press_twice(server, last(await server.dm(), "preview"), "share.post")
    posts = [m for m in await server.channel() if m["thread_id"] is None]
    assert len(posts) == 1
    said = [m["payload"]["message"]["text"] for m in await server.dm() if m["kind"] == "info"]
    assert "That's already posted in #product-team: nothing was posted twice." in said or \
        "That draft is already on its way to #product-team; I'll tell you when it's there." in said
    return posts[0]["message_id"], posts[0]


async def test_every_form_and_button_of_the_loop_counts_once(server: Server) -> None:
    thread, post = await shared(server)
    replies = await twice(server, "/replies", {"user": "sam", "thread_id": thread, "text": "Meetings, all day.",
                                               "request_id": "r-1"})
    assert replies[0][1]["message"]["message_id"] == replies[1][1]["message"]["message_id"]
    assert len([m for m in await server.channel() if m["thread_id"] == thread]) == 1

    await press_twice(server, post, "share.tell", user="jordan")
    private = [m for m in await server.messages() if m["conversation"] == "dm:jordan" and m["kind"] == "form"]
    assert len(private) == 1
    await submit_twice(server, private[0], {"barrier": "I'm not sure it's safe to say this."}, user="jordan")
    thanks = [m for m in await server.messages() if m["conversation"] == "dm:jordan" and m["kind"] == "info"]
    assert len(thanks) == 1

    answers = await twice(server, "/admin/digest", {})
    assert sorted(body["changed"] for _, body in answers) == [False, True]
    assert any("No new replies" in body["notice"] for _, body in answers)
    digest = last(await server.dm(), "digest")
    assert len([m for m in await server.dm() if m["kind"] == "digest"]) == 1

    await press_twice(server, digest, "digest.answer")
    answer_form = last(await server.dm(), "form")
    await submit_twice(server, answer_form, {"answer": "Thanks Sam, mornings it is."})
    assert len([m for m in await server.channel() if m["kind"] == "answer"]) == 1

    posted = last(await server.dm(), "posted")
    await press_twice(server, posted, "share.revise")
    revise = last(await server.dm(), "form")
    assert revise["payload"]["form"]["title"] == "Edit your post"
    await submit_twice(server, revise, {**FILLED, "ask": "What would help you most?"})
    shown = next(m for m in await server.channel() if m["message_id"] == thread)["payload"]["message"]
    assert shown["text"].endswith("What would help you most?")

    await press_twice(server, posted, "share.withdraw")
    said = [m["payload"]["message"]["text"] for m in await server.dm() if m["kind"] == "info"]
    assert said.count("That post in #product-team is already withdrawn.") == 1
    assert next(m for m in await server.channel() if m["message_id"] == thread)["payload"]["message"]["text"] == \
        "Alex Rivera withdrew this post."


async def test_a_snooze_sent_twice_is_one_snooze(server: Server) -> None:
    await server.post("/command", {"user": LEADER, "text": "snooze 2w"})
    await server.post("/command", {"user": LEADER, "text": "snooze 2w"})
    said = [m["payload"]["message"]["text"] for m in await server.dm() if m["kind"] == "info"]
    assert said[-1].startswith("You're already snoozed until") and said[-2].startswith("Snoozed until")


async def test_a_teammates_erase_removes_their_replies_from_the_thread_and_the_leaders_digest(server: Server) -> None:
    thread, _ = await shared(server)
    await server.post("/replies", {"user": "sam", "thread_id": thread, "text": "My barrier is the VPN."}, status=201)
    await server.post("/replies", {"user": "priya", "thread_id": thread, "text": "No time."}, status=201)
    await server.post("/admin/digest")
    digest = last(await server.dm(), "digest")
    await server.post("/command", {"user": "sam", "text": "erase"})
    offer = [m for m in await server.messages() if m["conversation"] == "dm:sam" and m["kind"] == "erase"][-1]
    await server.post("/action", {"user": "sam", "message_id": offer["message_id"], "action_id": "privacy.erase",
                                  "value": "confirm"})
    assert [m["payload"]["text"] for m in await server.channel() if m["thread_id"] == thread] == ["No time."]
    rewritten = next(m for m in await server.dm() if m["message_id"] == digest["message_id"])
    assert [f["label"] for f in rewritten["payload"]["message"]["facts"]] == ["Priya Nair"]
    erased = [m for m in await server.messages() if m["conversation"] == "dm:sam"]
    assert [m["kind"] for m in erased] == ["erased"]  # only the confirmation is left
