"""The coach inside Slack's modals, over real HTTP against the Web API double: a share or an answer
that reads as an order is answered on view_submission with an updated view (`response_action:
update`) holding each finding under its field, and nothing reaches the channel until the leader
sends it as it is; a digest's "Raise this with HR" button puts the theme on HR's list."""
from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.delivery.digests import send_digest
from storage.tables.raised import RaisedBarrier
from tests.slack.conftest import CHANNEL, LEADER, SAM, Live, Seeded
from tests.slack.test_loop import button, nudge_to_post, reply, texts

DIRECTIVE = {"try": "Everyone must post their updates in the channel from Monday", "why": "I need visibility",
             "barrier": "I never find the time", "ask": "Make sure you do it every Friday", "channel": CHANNEL}
ORDER = "You must make time for it, no exceptions"


def coach_notes(view: dict[str, Any]) -> dict[str, str]:
    """The context block right under each input: field name → what it says."""
    blocks, notes = view["blocks"], {}
    for block, after in zip(blocks, blocks[1:]):
        if block["type"] == "input" and after.get("block_id") == f"{block['block_id']}-coach":
            notes[block["block_id"]] = " ".join(e["text"] for e in after["elements"])
    return notes


def updated_view(body: str) -> dict[str, Any]:
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    view: dict[str, Any] = answer["view"]
    return view


async def test_a_directive_share_is_answered_with_the_modal_updated_to_show_findings_per_field(
        live: Live, seeded: Seeded) -> None:
    await live.command(LEADER, "share")
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    dms = len(live.dms_to(LEADER))

    status, body = await live.submit(LEADER, view, DIRECTIVE)
    assert status == 200
    coached = updated_view(body)
    notes = coach_notes(coached)
    assert "“Everyone must”" in notes["try"] and "“Make sure”" in notes["ask"] and set(notes) <= {"try", "ask", "why"}
    assert coached["submit"]["text"] == "Preview as it is" and "reads like an order" in texts(coached["blocks"])
    assert next(b for b in coached["blocks"] if b.get("block_id") == "try")["element"]["initial_value"] == \
        DIRECTIVE["try"]  # what they typed is still there
    await live.settle()
    assert len(live.dms_to(LEADER)) == dms  # no preview yet

    status, body = await live.submit(LEADER, coached, DIRECTIVE)
    assert status == 200 and "response_action" not in body
    await live.settle()
    preview = live.dms_to(LEADER)[-1]
    assert "Everyone must post their updates" in texts(preview["blocks"])
    assert button(preview["blocks"], "share.reframe")  # the one-click rewrite is still offered


async def digest_after_reply(live: Live, seeded: Seeded, text: str) -> tuple[str, list[dict[str, Any]]]:
    """Alex's share is posted, Sam replies `text` in its thread, and the digest reaches Alex."""
    thread, share_id = await nudge_to_post(live, seeded)
    await live.event(reply("1764000100.000001", SAM, text, thread))
    await live.settle()
    assert await send_digest(live.runtime.services, share_id)
    return thread, live.dms_to(LEADER)[-1]["blocks"]


async def test_a_directive_answer_stays_out_of_the_thread_until_the_leader_confirms(live: Live, seeded: Seeded) -> None:
    thread, digest = await digest_after_reply(live, seeded, "too many meetings, no time")
    answer = button(digest, "digest.answer")
    await live.click(LEADER, "digest.answer", answer["value"], "D0LEAD", "2.2")
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    assert "Drop something yourself" in texts(view["blocks"])  # advice for the barrier Sam named: time
    in_channel = len(live.double.posts_to(CHANNEL))

    status, body = await live.submit(LEADER, view, {"answer": ORDER})
    coached = updated_view(body)
    assert "“You must”" in coach_notes(coached)["answer"] and "“no exceptions”" in coach_notes(coached)["answer"]
    await live.settle()
    assert len(live.double.posts_to(CHANNEL)) == in_channel  # not in the thread
    await live.command(LEADER, "streak")
    await live.settle()
    assert "Answer at least one reply" in texts(live.dms_to(LEADER)[-1]["blocks"])  # and no streak week

    await live.submit(LEADER, coached, {"answer": ORDER})
    await live.settle()
    in_thread = live.double.posts_to(CHANNEL)[-1].args
    assert in_thread["thread_ts"] == thread and ORDER in texts(in_thread["blocks"])
    await live.command(LEADER, "streak")
    await live.settle()
    assert "1 week in a row" in texts(live.dms_to(LEADER)[-1]["blocks"])


async def test_raise_with_hr_from_a_slack_digest(live: Live, seeded: Seeded) -> None:
    _, digest = await digest_after_reply(live, seeded, "IT blocks the wiki when I'm on VPN")
    raise_it = button(digest, "digest.raise")
    assert raise_it["text"]["text"] == "Raise “IT or tool access” with HR"
    for _ in range(2):
        status, _ = await live.click(LEADER, "digest.raise", raise_it["value"], "D0LEAD", "2.2")
        assert status == 200
        await live.settle()
    assert "already on HR's list" in texts(live.dms_to(LEADER)[-1]["blocks"])
    async with live.runtime.db.session() as session:
        rows = (await session.exec(select(RaisedBarrier))).all()
    assert [(r.theme, r.team_id) for r in rows] == [("it_access", seeded.team_id)]
