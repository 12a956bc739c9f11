"""Every action is safe to repeat: a double submit, a double click or a retried request has one
effect and says what happened; a posted share can be edited or withdrawn, and the post follows."""
from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core import events
from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.runtime import Runtime
from storage.tables import Pause, Reply, Share
from tests.engine.test_loop import FILLED, share_and_post
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE


def previews(platform: RecordingPlatform) -> list[object]:
    return [d for d in platform.of_kind("dm") if d.message is not None and d.message.kind == "preview"]


async def test_a_share_form_submitted_twice_at_once_makes_one_draft_and_one_preview(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    await runtime.engine.handle(events.CommandReceived(W, "alex", "share"))
    form = platform.last("form").form
    assert form is not None and form.context.startswith("new:")
    submit = events.FormSubmitted(W, "alex", "share", FILLED, form.context)
    await asyncio.gather(runtime.engine.handle(submit), runtime.engine.handle(submit))
    await runtime.engine.handle(submit)  # and a retry after both were answered
    assert len(previews(platform)) == 1
    assert platform.last("dm").message.text.startswith("That preview is already in your messages")
    async with runtime.db.session() as session:
        assert len((await session.exec(select(Share))).all()) == 1


async def test_post_clicked_twice_posts_once_and_says_so(runtime: Runtime, platform: RecordingPlatform,
                                                         demo: DemoIds) -> None:
    share, _ = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.post", str(share.id)))
    assert len(platform.of_kind("post")) == 1
    assert platform.last("dm").message.text == "That's already posted in #product-team: nothing was posted twice."


async def test_a_posted_share_can_be_edited_and_the_post_follows(runtime: Runtime, platform: RecordingPlatform,
                                                                 demo: DemoIds) -> None:
    share, thread = await share_and_post(runtime, platform, demo)
    posted = [d for d in platform.of_kind("dm") if d.message and d.message.kind == "posted"][-1].message
    assert [a.action_id for a in posted.actions] == ["share.revise", "share.withdraw"]
    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.revise", str(share.id)))
    form = platform.last("form").form
    assert form is not None and form.title == "Edit your post" and form.fields[0].value == FILLED["try"]
    changed = {**FILLED, "ask": "What would make this easier for you?"}
    for _ in range(2):
        await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", changed, form.context))
    rewrites = [d for d in platform.of_kind("update") if d.sent and d.sent.message_id == thread]
    assert len(rewrites) == 1 and rewrites[0].message.text.endswith("What would make this easier for you?")
    assert platform.last("dm").message.text == "No change: your post already says exactly this."


async def test_withdrawing_twice_withdraws_once_and_replies_stop_counting(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    share, thread = await share_and_post(runtime, platform, demo)
    for _ in range(2):
        await runtime.engine.handle(events.ActionClicked(W, "alex", "share.withdraw", str(share.id)))
    rewrites = [d for d in platform.of_kind("update") if d.sent and d.sent.message_id == thread]
    assert [d.message.text for d in rewrites] == ["Alex Rivera withdrew this post."]
    assert platform.last("dm").message.text == "That post in #product-team is already withdrawn."
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "late", "sam", "hello?"))
    async with runtime.db.session() as session:
        assert (await session.exec(select(Reply))).all() == []


async def test_an_answer_submitted_twice_at_once_is_posted_once(runtime: Runtime, platform: RecordingPlatform,
                                                                demo: DemoIds) -> None:
    _, thread = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r1", "sam", "no time"))
    async with runtime.db.session() as session:
        reply = (await session.exec(select(Reply))).one()
    answer = events.FormSubmitted(W, "alex", "answer", {"answer": "Thanks Sam"}, str(reply.id))
    await asyncio.gather(runtime.engine.handle(answer), runtime.engine.handle(answer))
    assert len([p for p in platform.of_kind("post") if p.thread_id == thread]) == 1
    said = [d.message.text for d in platform.of_kind("dm") if d.message]
    assert "You already sent that answer; it's in the thread." in said


async def test_snooze_twice_is_one_snooze_and_says_so(runtime: Runtime, platform: RecordingPlatform,
                                                      demo: DemoIds) -> None:
    await runtime.engine.handle(events.CommandReceived(W, "alex", "snooze 1w"))
    await runtime.engine.handle(events.CommandReceived(W, "alex", "snooze 1w"))
    assert platform.last("dm").message.text == "You're already snoozed until 2026-11-30; nothing changed."
    async with runtime.db.session() as session:
        assert len((await session.exec(select(Pause))).all()) == 1
