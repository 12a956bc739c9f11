"""The whole coaching loop through the engine, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.core import events
from bot.delivery import send_now
from bot.delivery.digests import send_digest
from bot.runtime import Runtime
from storage.tables import Share
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE
FILLED = {
    "try": "I'm trying to post my weekly update in the channel instead of by email",
    "why": "decisions get stuck in my inbox",
    "barrier": "honestly, time: it feels slower than email",
    "ask": "could you tell me what makes it hard for you?",
    "channel": DEMO_CHANNEL,
}


async def share_and_post(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> tuple[Share, str]:
    nudge, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert sent
    await runtime.engine.handle(events.ActionClicked(W, "alex", "nudge.share", str(nudge.id)))
    form = platform.last("form").form
    assert form is not None
    await runtime.engine.handle(events.FormSubmitted(W, "alex", form.form_id, FILLED, form.context))
    preview = platform.last("dm").message
    assert preview is not None and preview.kind == "preview"
    post_action = next(a for a in preview.actions if a.action_id == "share.post")
    sent_preview = platform.last("dm").sent
    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.post", post_action.value,
                                                     channel_id=sent_preview.channel_id,
                                                     message_id=sent_preview.message_id))
    settled = [d for d in platform.of_kind("update") if d.sent == sent_preview]
    assert settled and settled[-1].message.actions == ()  # the preview's buttons are gone
    post = platform.last("post")
    assert post.target == DEMO_CHANNEL and post.sent is not None
    async with runtime.db.session() as session:
        share = await session.get(Share, int(post_action.value))
    assert share is not None
    return share, post.sent.message_id


async def test_nudge_share_replies_digest_answer_streak(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    share, thread = await share_and_post(runtime, platform, demo)
    post = platform.last("post").message
    assert post is not None and post.facts == () and post.sender == "Alex Rivera"  # prose in the leader's name
    assert post.text.split("\n") == [FILLED["try"] + ".", FILLED["why"] + ".", FILLED["barrier"] + ".", FILLED["ask"]]
    # the nudge's buttons were replaced by what the leader did
    nudge_updates = [d for d in platform.of_kind("update") if d.message.kind == "nudge"]
    assert nudge_updates and nudge_updates[-1].message.actions == ()

    for n, (user, text) in enumerate([("sam", "My barrier is that IT blocks the app on my laptop"),
                                      ("priya", "I'm afraid of saying something wrong in public"),
                                      ("jordan", "no time")]):
        await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, f"r{n}", user, text))
    await runtime.engine.handle(events.ReplyEdited(W, DEMO_CHANNEL, "r2", "no time, too many meetings"))
    await runtime.engine.handle(events.ReplyDeleted(W, DEMO_CHANNEL, "r1"))
    # a retried delivery of the same message is recorded once
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r0", "sam", "dup"))

    assert await send_digest(runtime.services, share.id or 0)
    digest = platform.last("dm").message
    assert digest is not None and digest.kind == "digest"
    assert [f.value for f in digest.facts] == ["My barrier is that IT blocks the app on my laptop",
                                               "no time, too many meetings"]
    assert [a.action_id for a in digest.actions] == ["digest.answer", "digest.answer", "digest.raise"]  # IT: to HR

    await runtime.engine.handle(events.CommandReceived(W, "alex", "streak"))
    assert "in progress" in (platform.last("dm").message.context or "")  # waiting for an answer, not lost

    await runtime.engine.handle(events.ActionClicked(W, "alex", "digest.answer", digest.actions[0].value))
    answer_form = platform.last("form").form
    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": " "}, answer_form.context))
    assert outcome.form is not None and outcome.form.fields[0].error
    assert outcome.form.fields[0].label == "Your answer to Sam Okafor"  # the re-shown form keeps the name
    await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": "Thanks Sam, I'll ask IT"},
                                                     answer_form.context))
    answer = platform.last("post")
    assert answer.thread_id == thread and answer.message.text == "Thanks Sam, I'll ask IT"

    await runtime.engine.handle(events.CommandReceived(W, "alex", "streak"))
    streak = platform.last("dm").message
    assert streak.kind == "streak" and streak.text.startswith("1 week")


async def test_empty_share_fields_come_back_as_form_errors(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    await runtime.engine.handle(events.CommandReceived(W, "alex", "share"))
    form = platform.last("form").form
    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", {"try": "x", "channel": DEMO_CHANNEL},
                                                               form.context))
    assert outcome.form is not None
    errors = {f.name: f.error for f in outcome.form.fields}
    assert errors["try"] is None and errors["why"] and errors["barrier"] and errors["ask"]
    assert outcome.form.fields[0].value == "x"  # what was typed is kept
    assert not [d for d in platform.deliveries if d.kind == "dm" and d.message.kind == "preview"]


async def test_second_send_now_in_a_week_sends_nothing(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    first, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    again, sent_again = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert sent and not sent_again and again.id == first.id
    assert len([d for d in platform.deliveries if d.message and d.message.kind == "nudge"]) == 1
    clock.advance(timedelta(days=7))
    following, sent_next = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert sent_next and following.prompt_id != first.prompt_id  # no prompt twice


async def test_a_streak_grows_over_weeks_and_a_snooze_freezes_it(runtime: Runtime, platform: RecordingPlatform,
                                                                demo: DemoIds, clock: FixedClock) -> None:
    await share_and_post(runtime, platform, demo)  # no replies: the week counts
    clock.advance(timedelta(days=7))
    await share_and_post(runtime, platform, demo)
    clock.advance(timedelta(days=7))
    await runtime.engine.handle(events.CommandReceived(W, "alex", "snooze 1w"))
    clock.advance(timedelta(days=7))
    await runtime.engine.handle(events.CommandReceived(W, "alex", "streak"))
    assert platform.last("dm").message.text.startswith("2 week")
    # the snooze ran from Tuesday to the next Monday: both weeks are frozen; the week after breaks it
    clock.advance(timedelta(days=14))
    await runtime.engine.handle(events.CommandReceived(W, "alex", "streak"))
    assert platform.last("dm").message.text.startswith("0 week")


async def test_permanent_failures_stop_further_nudges(runtime: Runtime, platform: RecordingPlatform,
                                                      demo: DemoIds, clock: FixedClock) -> None:
    from bot.core.port import DeliveryError

    platform.fail_next.append(DeliveryError("account_inactive", permanent=True, scope="person"))
    nudge, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert not sent and nudge.state == "failed" and nudge.last_error == "account_inactive"
    clock.advance(timedelta(days=7))
    held, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert not sent and held.state == "held"
    assert platform.of_kind("dm") == []
    # the person comes back and talks to GoFirst: next week's nudge reaches them again
    await runtime.engine.handle(events.CommandReceived(W, "alex", "status"))
    clock.advance(timedelta(days=7))
    _, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert sent


async def test_a_new_teammate_gets_their_name_from_the_platform_and_a_failed_digest_says_so(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    from bot.core.port import DeliveryError, Profile

    share, thread = await share_and_post(runtime, platform, demo)
    platform.profiles["newbie"] = Profile("Noor Haddad", "Africa/Cairo")
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r1", "newbie", "no time"))
    platform.fail_next.append(DeliveryError("account_inactive", permanent=True, scope="person"))
    assert not await send_digest(runtime.services, share.id or 0)
    assert await send_digest(runtime.services, share.id or 0)
    assert [f.label for f in platform.last("dm").message.facts] == ["Noor Haddad"]


async def test_the_preview_reaches_the_leader_only_after_the_draft_is_saved(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    """A click on Post that races the preview must find the draft: the DM goes out after commit."""
    seen_in_db: list[bool] = []
    original = platform.send_dm

    async def send_dm_and_look(workspace_id, user_id, message):  # type: ignore[no-untyped-def]
        if message.kind == "preview":
            async with runtime.db.session() as session:
                share_id = int(message.actions[0].value)
                seen_in_db.append(await session.get(Share, share_id) is not None)
        return await original(workspace_id, user_id, message)

    platform.send_dm = send_dm_and_look  # type: ignore[method-assign]
    await runtime.engine.handle(events.CommandReceived(W, "alex", "share"))
    form = platform.last("form").form
    await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", FILLED, form.context))
    assert seen_in_db == [True]


async def test_a_database_that_is_down_gets_a_clear_answer_not_a_crash(clock: FixedClock, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.config import Settings
    from bot.runtime import build_runtime
    from tests.support.postgres import free_port

    url = f"postgresql+asyncpg://gofirst:secret@127.0.0.1:{free_port()}/gofirst"
    runtime = build_runtime(Settings(GOFIRST_DATABASE_URL=url), clock=clock)
    runtime.services.platforms.register(RecordingPlatform())
    outcome = await runtime.engine.handle(events.CommandReceived(W, "alex", "streak"))
    assert outcome.error is not None and "can't reach its database" in outcome.error
    assert "gofirst:***@127.0.0.1" in caplog.text and "secret" not in caplog.text
    await runtime.db.dispose()
