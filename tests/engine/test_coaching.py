"""The coach inside the share flow: findings before posting, a one-click rewrite, themes on replies."""
from __future__ import annotations

from sqlmodel import select

from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.core import events
from bot.runtime import Runtime
from storage.tables import Reply, Share
from tests.engine.test_loop import FILLED, share_and_post
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE
DIRECTIVE = {
    "try": "Everyone must post their updates in the channel from Monday",
    "why": "I need visibility",
    "barrier": "I never find the time",
    "ask": "Make sure you do it every Friday",
    "channel": DEMO_CHANNEL,
}


async def preview_for(runtime: Runtime, platform: RecordingPlatform, values: dict[str, str]):
    await runtime.engine.handle(events.CommandReceived(W, "alex", "share"))
    form = platform.last("form").form
    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", values, form.context))
    if outcome.form is not None:  # the coach's notes come first; the same words again go on as they are
        await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", values, outcome.form.context))
    return platform.last("dm").message


async def test_a_directive_draft_gets_findings_and_a_one_click_modelling_version(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    preview = await preview_for(runtime, platform, DIRECTIVE)
    assert "“Everyone must”" in preview.text and "“Make sure”" in preview.text
    reframe = next(a for a in preview.actions if a.action_id == "share.reframe")

    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.reframe", reframe.value))
    rewritten = platform.last("dm").message
    assert "\nI'm trying to post my updates in the channel" in rewritten.text  # the post, as prose
    assert "Everyone must" not in rewritten.text
    assert not any(a.action_id == "share.reframe" for a in rewritten.actions)  # nothing left to fix
    async with runtime.db.session() as session:
        share = (await session.exec(select(Share))).one()
    assert share.try_text.startswith("I'm trying to") and share.barrier_themes == ["time"]


async def test_a_modelling_draft_is_not_offered_a_rewrite(runtime: Runtime, platform: RecordingPlatform,
                                                         demo: DemoIds) -> None:
    preview = await preview_for(runtime, platform, FILLED)
    assert not any(a.action_id == "share.reframe" for a in preview.actions)


async def test_replies_are_tagged_with_barrier_themes_and_retagged_on_edit(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    _, thread = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r1", "sam",
                                                          "IT blocks the app on our laptops"))
    async with runtime.db.session() as session:
        assert (await session.exec(select(Reply))).one().themes == ["it_access"]
    await runtime.engine.handle(events.ReplyEdited(W, DEMO_CHANNEL, "r1", "Honestly I just don't have the time"))
    async with runtime.db.session() as session:
        assert (await session.exec(select(Reply))).one().themes == ["time"]


async def test_hr_sees_a_theme_only_once_enough_people_named_it(runtime: Runtime, platform: RecordingPlatform,
                                                                demo: DemoIds) -> None:
    from bot.insights import barrier_report

    _, thread = await share_and_post(runtime, platform, demo)  # the leader's own barrier: time
    for n, user in enumerate(["sam", "priya", "jordan", "mei"]):
        await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, f"r{n}", user,
                                                              "too many meetings, no time"))
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r9", "tomas",
                                                          "I'm scared of getting it wrong in public"))
    async with runtime.db.session() as session:
        report = await barrier_report(session, W, min_group_size=5)
    assert [(c.theme, c.people) for c in report.themes] == [("time", 5)]  # four members and the leader
    assert report.suppressed == 1  # fear: one person, not shown
