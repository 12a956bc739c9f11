"""The coach inline in the playground, over its HTTP API: a share or an answer that reads as an order
comes back as the same form (200, in place) with each finding under its field; nothing is posted and
no streak week earned until the leader sends the same words again; a digest's "Raise this with HR"
button puts the barrier's theme, and nothing else, on HR's list."""
from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.tables.raised import RaisedBarrier
from tests.local.conftest import Server
from tests.local.test_playground_coach import DIRECTIVE
from tests.local.test_playground_loop import FILLED, LEADER, click, last

ORDER = "You must make time for it, no exceptions"


def field_notes(form: dict[str, Any]) -> dict[str, list[str]]:
    return {f["name"]: f["notes"] for f in form["fields"] if f["notes"]}


async def posted_thread(server: Server) -> str:
    await server.post("/command", {"user": LEADER, "text": "share"})
    form = last(await server.dm(), "form")
    await server.post("/form", {"user": LEADER, "message_id": form["message_id"], "values": FILLED})
    await click(server, last(await server.dm(), "preview"), "share.post")
    return str([m for m in await server.channel() if m["thread_id"] is None][-1]["message_id"])


async def digest_after(server: Server, thread: str, text: str) -> dict[str, Any]:
    await server.post("/replies", {"user": "sam", "thread_id": thread, "text": text}, status=201)
    await server.post("/admin/digest")
    return last(await server.dm(), "digest")


async def test_a_directive_share_shows_findings_under_its_fields_in_place(server: Server) -> None:
    await server.post("/command", {"user": LEADER, "text": "share"})
    form = last(await server.dm(), "form")
    _, body = await server.post("/form", {"user": LEADER, "message_id": form["message_id"], "values": DIRECTIVE})
    assert body["coached"] and body["message"]["message_id"] == form["message_id"]  # the same form, in place
    notes = field_notes(body["form"])
    assert notes["try"][0].startswith("“Everyone must”") and notes["ask"][0].startswith("“Make sure”")
    assert sum(len(n) for n in notes.values()) <= 3
    assert body["form"]["submit_label"] == "Preview as it is"
    assert [m for m in await server.dm() if m["kind"] == "preview"] == []

    await server.post("/form", {"user": LEADER, "message_id": form["message_id"], "values": DIRECTIVE})
    assert "Everyone must post their weekly updates" in last(await server.dm(), "preview")["payload"]["message"]["text"]


async def test_a_directive_answer_waits_for_the_leader_and_earns_no_streak_until_then(server: Server) -> None:
    thread = await posted_thread(server)
    digest = await digest_after(server, thread, "Too many meetings, no time.")
    await click(server, digest, "Answer Sam Okafor")
    answer_form = last(await server.dm(), "form")
    assert "Drop something yourself" in " ".join(answer_form["payload"]["form"]["notes"])

    _, body = await server.post("/form", {"user": LEADER, "message_id": answer_form["message_id"],
                                          "values": {"answer": ORDER}})
    assert body["coached"] and any("“no exceptions”" in n for n in field_notes(body["form"])["answer"])
    assert [m for m in await server.channel() if m["kind"] == "answer"] == []
    assert (await server.get("/state"))["admin"]["streak"]["current"] == 0

    await server.post("/form", {"user": LEADER, "message_id": answer_form["message_id"], "values": {"answer": ORDER}})
    [answer] = [m for m in await server.channel() if m["kind"] == "answer"]
    assert answer["thread_id"] == thread and answer["payload"]["message"]["text"] == ORDER
    assert (await server.get("/state"))["admin"]["streak"]["current"] == 1


async def test_raise_with_hr_from_the_playground_digest(server: Server) -> None:
    thread = await posted_thread(server)
    digest = await digest_after(server, thread, "IT blocks the wiki when I'm on VPN.")
    await click(server, digest, "Raise “IT or tool access” with HR")
    assert last(await server.dm(), "info")["payload"]["message"]["text"].startswith("Raised with HR")
    await click(server, digest, "Raise “IT or tool access” with HR")
    async with server.runtime.db.session() as session:
        assert [r.theme for r in (await session.exec(select(RaisedBarrier))).all()] == ["it_access"]
