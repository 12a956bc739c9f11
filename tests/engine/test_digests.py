"""Digests on their own and on request, through the engine and the delivery worker: after the delay,
inside the leader's working hours, at most one more a working day, a gentle note for a quiet share,
private notes only once three teammates answered, and a teammate's erase honoured in sent digests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.clock import FixedClock
from bot.core import events
from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.delivery.worker import DeliveryWorker
from bot.runtime import Runtime
from tests.engine.test_loop import share_and_post
from tests.support.recording import Delivery, RecordingPlatform

W = DEMO_WORKSPACE


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """November/December 2026 in London (UTC in winter): the 24th is a Tuesday."""
    return datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(days=day - 1, hours=hour, minutes=minute)


def digests(platform: RecordingPlatform) -> list[Delivery]:
    return [d for d in platform.of_kind("dm") if d.message is not None and d.message.kind == "digest"]


async def reply(runtime: Runtime, thread: str, user: str, text: str, n: int) -> None:
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, f"r-{user}-{n}", user, text))


async def pass_at(runtime: Runtime, clock: FixedClock, when: datetime) -> None:
    clock.set(when)
    await DeliveryWorker(runtime.services).run_once()


async def test_three_replies_make_one_digest_after_the_delay_and_a_second_batch_one_more_the_next_day(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    _, thread = await share_and_post(runtime, platform, demo)  # Tuesday 10:00
    for n, user in enumerate(("sam", "priya", "jordan")):
        await reply(runtime, thread, user, f"my barrier is number {n}", n)
    for hour in (11, 13):
        await pass_at(runtime, clock, at(24, hour, 59))
    assert digests(platform) == []  # not before 14:00, four hours after posting
    await pass_at(runtime, clock, at(24, 14))
    await pass_at(runtime, clock, at(24, 14, 5))
    [first] = digests(platform)
    assert first.target == "alex" and [f.label for f in first.message.facts] == ["Sam Okafor", "Priya Nair", "Jordan Lee"]
    assert [a.label for a in first.message.actions] == ["Answer Sam Okafor", "Answer Priya Nair", "Answer Jordan Lee"]
    assert "Did anyone try it alongside you?" in (first.message.context or "")  # the prompt's follow-up closes it

    await reply(runtime, thread, "mei", "meetings eat my afternoons", 4)
    await reply(runtime, thread, "tomas", "I don't know the tool", 5)
    await pass_at(runtime, clock, at(24, 16, 30))
    await pass_at(runtime, clock, at(25, 3))
    assert len(digests(platform)) == 1  # at most one a working day, and never at night
    await pass_at(runtime, clock, at(25, 9))
    second = digests(platform)[1]
    assert [f.label for f in second.message.facts] == ["Mei Chen", "Tomás García"]
    assert "3 earlier replies" in second.message.text
    await pass_at(runtime, clock, at(26, 10))
    assert len(digests(platform)) == 2


async def test_no_digest_at_night_or_on_a_quiet_day(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds,
                                                    clock: FixedClock) -> None:
    clock.set(at(27, 15))  # Friday 15:00: the delay ends at 19:00, after work
    _, thread = await share_and_post(runtime, platform, demo)
    await reply(runtime, thread, "sam", "no time", 0)
    for when in (at(27, 19), at(27, 23), at(28, 10), at(29, 12)):  # Friday night, Saturday, Sunday
        await pass_at(runtime, clock, when)
    assert digests(platform) == []
    await pass_at(runtime, clock, at(30, 9))  # Monday, first working moment
    assert len(digests(platform)) == 1


async def test_a_share_nobody_answered_gets_one_gentle_note_after_two_working_days(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    await share_and_post(runtime, platform, demo)  # Tuesday 10:00
    await pass_at(runtime, clock, at(25, 16))
    assert digests(platform) == []
    await pass_at(runtime, clock, at(26, 10))
    await pass_at(runtime, clock, at(26, 11))
    [note] = digests(platform)
    assert note.message.title == "No replies yet, and that's normal"
    assert "next team meeting" in note.message.facts[0].value  # a concrete next step
    await pass_at(runtime, clock, at(30, 10))
    assert len(digests(platform)) == 1


async def test_the_digest_command_sends_it_now_once(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds,
                                                     clock: FixedClock) -> None:
    _, thread = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.CommandReceived(W, "alex", "digest"))
    assert platform.last("dm").message.text.startswith("No replies to your post yet")
    await reply(runtime, thread, "sam", "IT blocks it", 0)
    for _ in range(2):
        await runtime.engine.handle(events.CommandReceived(W, "alex", "digest"))
    assert len(digests(platform)) == 1
    assert platform.last("dm").message.text.startswith("No new replies since your last digest")
    await pass_at(runtime, clock, at(24, 15))
    assert len(digests(platform)) == 1  # the worker sends nothing already sent


async def test_a_private_note_reaches_the_digest_only_once_three_teammates_answered(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    _, thread = await share_and_post(runtime, platform, demo)
    post = platform.last("post").message
    tell = next(a for a in post.actions if a.action_id == "share.tell")
    assert tell.label == "Tell Alex Rivera privately" and "HR only ever sees barrier themes" in (post.context or "")
    await runtime.engine.handle(events.ActionClicked(W, "sam", "share.tell", tell.value))
    form = platform.last("form")
    assert form.target == "sam" and form.form is not None
    note = {"barrier": "I'm afraid my manager will judge me"}
    for _ in range(2):  # a double submit keeps one note
        await runtime.engine.handle(events.FormSubmitted(W, "sam", "private", note, form.form.context))
    assert platform.last("dm").message.text.startswith("You already told Alex Rivera privately")
    await reply(runtime, thread, "priya", "no time", 1)
    await runtime.engine.handle(events.CommandReceived(W, "alex", "digest"))
    first = digests(platform)[-1].message
    assert "afraid" not in str(first) and "Sam" not in str(first)  # two teammates: nothing private shown
    await reply(runtime, thread, "jordan", "IT blocks it", 2)
    await pass_at(runtime, clock, at(25, 9))
    second = digests(platform)[-1].message
    assert ("Someone said", "I'm afraid my manager will judge me") in [(f.label, f.value) for f in second.facts]
    answers = [a for a in second.actions if a.action_id == "digest.answer"]
    assert len(answers) == 1  # nobody to answer for the note: only Jordan's reply gets a button


async def test_a_teammates_erase_takes_their_replies_out_of_sent_digests_and_hr_counts(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    from bot.insights import barrier_report

    _, thread = await share_and_post(runtime, platform, demo)
    await reply(runtime, thread, "sam", "too many meetings, no time", 0)
    await reply(runtime, thread, "priya", "IT blocks the app", 1)
    await runtime.engine.handle(events.CommandReceived(W, "alex", "digest"))
    digest = digests(platform)[-1]
    async with runtime.db.session() as session:
        before = await barrier_report(session, W, min_group_size=2)
    assert ("time", 2) in [(c.theme, c.people) for c in before.themes]  # Sam and Alex

    await runtime.engine.handle(events.CommandReceived(W, "sam", "erase"))
    offer = platform.last("dm")
    assert offer.target == "sam" and offer.message.actions[0].action_id == "privacy.erase"
    await runtime.engine.handle(events.ActionClicked(W, "sam", "privacy.erase", "confirm"))
    assert platform.last("dm").message.text.startswith("Erased:")
    rewritten = [d for d in platform.of_kind("update") if d.sent == digest.sent][-1].message
    assert [f.label for f in rewritten.facts] == ["Priya Nair"] and "meetings" not in str(rewritten)
    async with runtime.db.session() as session:
        after = await barrier_report(session, W, min_group_size=2)
    assert "time" not in [c.theme for c in after.themes]


async def test_analysis_off_keeps_replies_for_the_leader_but_out_of_hr_counts(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    from bot.insights import barrier_report

    _, thread = await share_and_post(runtime, platform, demo)
    await reply(runtime, thread, "sam", "IT blocks the app", 0)
    await runtime.engine.handle(events.CommandReceived(W, "sam", "analysis off"))
    await reply(runtime, thread, "sam", "and IT blocks the wiki", 1)
    await runtime.engine.handle(events.CommandReceived(W, "alex", "digest"))
    assert [f.value for f in digests(platform)[-1].message.facts] == ["IT blocks the app", "and IT blocks the wiki"]
    async with runtime.db.session() as session:
        report = await barrier_report(session, W, min_group_size=1)
    assert "it_access" not in [c.theme for c in report.themes]


async def test_export_from_a_dm_lists_what_is_held(runtime: Runtime, platform: RecordingPlatform,
                                                   demo: DemoIds) -> None:
    _, thread = await share_and_post(runtime, platform, demo)
    await reply(runtime, thread, "sam", "My barrier is the VPN", 0)
    await runtime.engine.handle(events.CommandReceived(W, "sam", "export"))
    export = platform.last("dm").message
    parts = {f.label: f.value for f in export.facts}
    assert export.kind == "export" and "My barrier is the VPN" in parts["replies: 1 record"]
    assert any(label.startswith("person:") for label in parts)


async def test_last_weeks_follow_up_opens_the_next_nudge_and_its_reminder(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    from bot.core.compose import nudge_message
    from bot.delivery import send_now
    from bot.delivery.followups import last_week
    from bot.delivery.prompts import prompt_in
    from storage.tables import Nudge

    share, _ = await share_and_post(runtime, platform, demo)  # answers gf-01
    clock.advance(timedelta(days=7))
    nudge, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert sent
    async with runtime.db.session() as session:
        row = await session.get(Nudge, nudge.id)
        assert row is not None
        opener = await last_week(runtime.services, session, row)
    assert opener is not None and opener.tried == share.try_text
    assert opener.follow_up == "Did anyone try it alongside you? What did they tell you about their own barrier?"
    prompt = prompt_in(runtime.services.packs["going-first"], nudge.prompt_id)
    text = nudge_message(runtime.services.copy, prompt, nudge.id or 0, opener).text
    assert text.startswith(f"Last week you tried “{share.try_text}”: how did it go? Did anyone try it alongside you?")

    clock.advance(timedelta(days=2))  # the campaign's reminder, two working days on, opens the same way
    await DeliveryWorker(runtime.services).run_once()
    reminder = [d for d in platform.of_kind("dm") if d.message and d.message.title == "A gentle reminder"][-1]
    assert reminder.message.text.startswith("Last week you tried")


async def test_the_home_shows_the_last_eight_weeks_as_a_chart_with_words(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    _, thread = await share_and_post(runtime, platform, demo)
    await reply(runtime, thread, "sam", "no time", 0)
    await reply(runtime, thread, "priya", "IT blocks it", 1)
    await runtime.engine.handle(events.HomeOpened(W, "alex"))
    first = platform.last("home").home.sections[0]
    assert first.title == "Your modelling streak" and first.chart is not None
    assert [b.value for b in first.chart.bars] == [0] * 7 + [2] and first.chart.bars[-1].note == "in progress"
    assert first.chart.summary == "Last 8 weeks: you went first in 1, answered 0, and your team replied 2 times."
    assert first.chart.summary in first.lines and "W48 2 replies (in progress)" in first.lines[-1]


async def test_what_a_teammate_told_privately_is_in_their_export_and_goes_with_the_leaders_erase(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    from sqlmodel import select

    from bot.app.mounts import privacy_hooks
    from storage.tables.loop import PrivateNote, PrivateNoteSender

    runtime.services.privacy_hooks = list(privacy_hooks())
    share, _ = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.FormSubmitted(W, "jordan", "private", {"barrier": "fear"}, str(share.id)))
    await runtime.engine.handle(events.CommandReceived(W, "jordan", "export"))
    parts = {f.label: f.value for f in platform.last("dm").message.facts}
    assert "told_privately: 1 record" in parts and "fear" not in str(parts)  # that they told, not what
    await runtime.engine.handle(events.CommandReceived(W, "alex", "erase"))
    await runtime.engine.handle(events.ActionClicked(W, "alex", "privacy.erase", "confirm"))
    assert platform.last("dm").message.text.startswith("Erased:")
    async with runtime.db.session() as session:
        assert (await session.exec(select(PrivateNote))).all() == []
        assert (await session.exec(select(PrivateNoteSender))).all() == []
