"""Export and erase, for a leader and for a team member."""
from __future__ import annotations

from sqlmodel import select

from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.engine import events
from bot.privacy import erase_person, export_person
from bot.runtime import Runtime
from storage.tables import AuditEntry, Person, Reply, Share
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
