"""In the playground, a directive draft gets the coach's findings and a one-click modelling rewrite."""
from __future__ import annotations

from tests.local.conftest import Server
from tests.local.test_playground_loop import LEADER, click, last

DIRECTIVE = {"try": "Everyone must post their weekly updates in #product-team from Monday.",
             "why": "I need visibility.",
             "barrier": "I never find the time to write them myself.",
             "ask": "Make sure you do it every Friday.",
             "channel": "product-team"}


async def test_a_directive_draft_is_coached_and_rewritten_in_one_click(server: Server) -> None:
    await server.post("/command", {"user": LEADER, "text": "share"})
    form = last(await server.dm(), "form")
    _, coached = await server.post("/form", {"user": LEADER, "message_id": form["message_id"], "values": DIRECTIVE})
    assert coached["coached"]  # the coach's notes come first, in the form; the same words again go on
    await server.post("/form", {"user": LEADER, "message_id": form["message_id"], "values": DIRECTIVE})
    preview = last(await server.dm(), "preview")["payload"]["message"]
    assert "Your coach noticed:" in preview["text"] and "“Everyone must”" in preview["text"]
    assert [a["label"] for a in preview["actions"]][0] == "Use the modelling version"

    await click(server, last(await server.dm(), "preview"), "share.reframe")
    rewritten = last(await server.dm(), "preview")["payload"]["message"]
    assert "\nI'm trying to post my weekly updates in #product-team" in rewritten["text"]
    assert "share.reframe" not in [a["action_id"] for a in rewritten["actions"]]

    await click(server, last(await server.dm(), "preview"), "share.post")
    post = [m for m in await server.channel() if m["thread_id"] is None][-1]["payload"]["message"]
    assert "Everyone must" not in post["text"] and "I'm trying to post" in post["text"]
