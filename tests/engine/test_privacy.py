"""Export and erase, for a leader and for a team member, and the hooks adapters register."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.core import events
from bot.app.mounts import privacy_hooks
from bot.privacy import PrivacyHooks, erase_person, export_person
from bot.runtime import Runtime
from storage.tables import AuditEntry, Person, Reply, Share
from storage.tables.playground import PlaygroundMessage
from storage.tables.teams import TeamsConversation
from tests.engine.test_loop import share_and_post
from tests.support.recording import RecordingPlatform


async def test_export_holds_what_a_person_wrote_and_erase_removes_it(runtime: Runtime, platform: RecordingPlatform,
                                                                    demo: DemoIds) -> None:
    share, thread = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.ChannelReplyPosted(DEMO_WORKSPACE, DEMO_CHANNEL, thread, "r1", "sam",
                                                          "My barrier is the VPN"))
    await runtime.engine.handle(events.CommandReceived(DEMO_WORKSPACE, "sam", "optout"))

    async with runtime.db.session() as session:
        sam = await export_person(session, DEMO_WORKSPACE, "sam")
        alex = await export_person(session, DEMO_WORKSPACE, "alex")
    assert [r["text"] for r in sam["replies"]] == ["My barrier is the VPN"]
    assert sam["person"]["opted_out"] is True and [a["action"] for a in sam["audit"]] == ["optout"]
    assert [s["barrier_text"] for s in alex["shares"]] == [share.barrier_text]
    assert len(alex["nudges"]) == 1

    async with runtime.db.session() as session:
        counts = await erase_person(session, DEMO_WORKSPACE, "sam")
    assert counts["replies"] == 1
    async with runtime.db.session() as session:
        assert (await session.exec(select(Person).where(Person.platform_user_id == "sam"))).first() is None
        assert (await session.exec(select(Reply))).all() == []
        assert all(a.actor != "sam" for a in (await session.exec(select(AuditEntry))).all())
        # the leader's share is untouched by a member's erasure
        assert len((await session.exec(select(Share))).all()) == 1

    async with runtime.db.session() as session:
        await erase_person(session, DEMO_WORKSPACE, "alex")
    async with runtime.db.session() as session:
        assert (await session.exec(select(Share))).all() == []


async def add_platform_records(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        session.add(TeamsConversation(workspace_id=DEMO_WORKSPACE, conversation_id="a:1", kind="personal",
                                      user_id="sam", name="Sam", service_url="http://127.0.0.1:1/"))
        for conversation, author in (("dm:sam", "gofirst"), ("channel:product-team", "sam"),
                                     ("channel:product-team", "priya")):
            session.add(PlaygroundMessage(workspace_id=DEMO_WORKSPACE, conversation=conversation, author=author,
                                          message_id=f"{conversation}-{author}", kind="info", payload={}))


async def test_platform_records_about_a_person_are_exported_and_erased(runtime: Runtime, platform: RecordingPlatform,
                                                                      demo: DemoIds) -> None:
    await add_platform_records(runtime)
    async with runtime.db.session() as session:  # through the hooks the wiring registers
        exported = await export_person(session, DEMO_WORKSPACE, "sam", privacy_hooks())
        assert [c["conversation_id"] for c in exported["teams_conversations"]] == ["a:1"]
        assert len(exported["playground_messages"]) == 2
        counts = await erase_person(session, DEMO_WORKSPACE, "sam", privacy_hooks())
    assert (counts["teams_conversations"], counts["playground_messages"]) == (1, 2)
    async with runtime.db.session() as session:
        left = (await session.exec(select(PlaygroundMessage))).all()
    assert [m.author for m in left] == ["priya"]  # other people's messages stay


@dataclass
class NotesHook:
    """An adapter that keeps notes per user id somewhere of its own."""

    notes: dict[str, list[str]] = field(default_factory=dict)
    name: str = "notes"

    async def export(self, session: AsyncSession, person: Person) -> list[dict[str, Any]]:
        return [{"note": n} for n in self.notes.get(person.platform_user_id, [])]

    async def erase(self, session: AsyncSession, person: Person) -> int:
        return len(self.notes.pop(person.platform_user_id, []))


async def test_a_registered_hook_is_exported_and_erased(runtime: Runtime, demo: DemoIds) -> None:
    notes = NotesHook({"sam": ["prefers mornings", "on call in May"], "priya": ["stays"]})
    hooks = PrivacyHooks()
    hooks.register(notes)
    async with runtime.db.session() as session:
        exported = await export_person(session, DEMO_WORKSPACE, "sam", hooks)
        counts = await erase_person(session, DEMO_WORKSPACE, "sam", hooks)
    assert exported["notes"] == [{"note": "prefers mornings"}, {"note": "on call in May"}]
    assert exported["person"]["platform_user_id"] == "sam"
    assert counts["notes"] == 2 and counts["person"] == 1
    assert notes.notes == {"priya": ["stays"]}
    with pytest.raises(ValueError, match="'notes' is already taken"):
        hooks.register(NotesHook())
    with pytest.raises(ValueError, match="'nudges' is already taken"):  # would hide the core nudges
        hooks.register(NotesHook(name="nudges"))


async def test_with_no_hook_the_core_export_and_erase_still_work(runtime: Runtime, demo: DemoIds) -> None:
    await add_platform_records(runtime)
    async with runtime.db.session() as session:
        exported = await export_person(session, DEMO_WORKSPACE, "sam")
        counts = await erase_person(session, DEMO_WORKSPACE, "sam")
    assert sorted(exported) == ["audit", "memberships", "nudges", "pauses", "person", "posts", "replies", "shares",
                                "teams_led"]
    assert exported["person"]["display_name"] == "Sam Okafor" and len(exported["memberships"]) == 1
    assert counts["memberships"] == 1 and counts["person"] == 1
    async with runtime.db.session() as session:
        assert (await session.exec(select(Person).where(Person.platform_user_id == "sam"))).first() is None
        # what only a hook knows about stays without it: why the wiring registers every adapter's
        assert len((await session.exec(select(TeamsConversation))).all()) == 1
