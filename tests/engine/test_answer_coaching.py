"""The coach before anything is posted, through the engine on SQLite and PostgreSQL: a share that
reads as an order comes back with its findings under their fields, and so does a leader's answer to
a teammate, with advice for the barrier the teammate named; nothing is posted, and no streak week
earned, until the leader changes the words or sends them as they are."""
from __future__ import annotations

from sqlmodel import select

from bot.core import events
from bot.core.messages import Form
from bot.delivery.digests import send_digest
from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.runtime import Runtime
from storage.tables import Reply, Share
from storage.tables.outbox import OutboxPost
from tests.engine.test_coaching import DIRECTIVE
from tests.engine.test_loop import share_and_post
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE
ORDER = "You must make time for it, no exceptions"


def notes_by_field(form: Form) -> dict[str, tuple[str, ...]]:
    return {f.name: f.notes for f in form.fields if f.notes}


async def answer_form_for(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, text: str) -> Form:
    """A posted share, one teammate's reply with `text`, the digest, and the leader's answer form."""
    share, thread = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r1", "sam", text))
    assert await send_digest(runtime.services, share.id or 0)
    answer = next(a for a in platform.last("dm").message.actions if a.action_id == "digest.answer")
    await runtime.engine.handle(events.ActionClicked(W, "alex", "digest.answer", answer.value))
    form = platform.last("form").form
    assert form is not None
    return form


async def streak_context(runtime: Runtime, platform: RecordingPlatform) -> str:
    await runtime.engine.handle(events.CommandReceived(W, "alex", "streak"))
    message = platform.last("dm").message
    return f"{message.text} {message.context}"


async def leader_answers(runtime: Runtime) -> list[Reply]:
    async with runtime.db.session() as session:
        return list((await session.exec(select(Reply).where(Reply.is_leader))).all())


async def test_an_order_as_an_answer_is_held_with_the_time_advice_until_the_leader_confirms(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    form = await answer_form_for(runtime, platform, demo, "too many meetings, no time")
    assert "Drop something yourself" in " ".join(form.notes)  # the advice is there before they write
    posts_before = len(platform.of_kind("post"))

    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": ORDER}, form.context))
    coached = outcome.form
    assert coached is not None and not coached.has_errors
    notes = coached.fields[0].notes
    assert coached.fields[0].value == ORDER and len(notes) <= 3
    assert notes[0].startswith("“You must”") and any("“no exceptions”" in n for n in notes)
    assert any("Drop something yourself to make room for it" in n for n in coached.notes)  # time → drop something
    assert coached.submit_label == "Post as it is"
    assert len(platform.of_kind("post")) == posts_before and await leader_answers(runtime) == []
    assert "Answer at least one reply" in await streak_context(runtime, platform)  # unconfirmed: earns nothing

    await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": ORDER}, coached.context))
    assert platform.last("post").message.text == ORDER  # the leader's choice: posted as it is
    assert [r.text for r in await leader_answers(runtime)] == [ORDER]
    assert (await streak_context(runtime, platform)).startswith("1 week")


async def test_an_answer_changed_after_the_coach_spoke_is_checked_again_and_posted_when_it_listens(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    form = await answer_form_for(runtime, platform, demo, "IT blocks the wiki when I'm on VPN")
    assert "Offer to raise the IT block yourself" in " ".join(form.notes)
    first = await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": ORDER}, form.context))
    assert first.form is not None
    other_order = "Everyone must use the wiki, no exceptions"
    second = await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": other_order},
                                                              first.form.context))
    assert second.form is not None and second.form.fields[0].value == other_order  # new words: coached again
    assert await leader_answers(runtime) == []
    kind = "Thanks Sam, I'll raise the VPN block with IT this week and tell you what they say"
    third = await runtime.engine.handle(events.FormSubmitted(W, "alex", "answer", {"answer": kind},
                                                             second.form.context))
    assert third.form is None and platform.last("post").message.text == kind
    async with runtime.db.session() as session:
        answers = (await session.exec(select(OutboxPost).where(OutboxPost.kind == "answer"))).all()
    assert [a.message["text"] for a in answers] == [kind]  # neither order was ever queued


async def test_a_share_that_reads_as_an_order_comes_back_with_findings_under_their_fields(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    await runtime.engine.handle(events.CommandReceived(W, "alex", "share"))
    form = platform.last("form").form
    dms_before = len(platform.of_kind("dm"))
    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", DIRECTIVE, form.context))
    coached = outcome.form
    assert coached is not None and not coached.has_errors
    notes = notes_by_field(coached)
    assert notes["try"][0].startswith("“Everyone must”") and notes["ask"][0].startswith("“Make sure”")
    assert sum(len(n) for n in notes.values()) <= 3 and set(notes) <= {"try", "why", "barrier", "ask"}
    assert {f.name: f.value for f in coached.fields} == DIRECTIVE  # nothing typed is lost
    assert coached.submit_label == "Preview as it is" and coached.notes
    assert len(platform.of_kind("dm")) == dms_before  # no preview yet
    async with runtime.db.session() as session:
        assert (await session.exec(select(Share))).all() == []  # and no draft

    await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", DIRECTIVE, coached.context))
    preview = platform.last("dm").message
    assert preview.kind == "preview" and "Everyone must post their updates" in preview.text
    again = await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", DIRECTIVE, coached.context))
    assert again.form is None and "already" in platform.last("dm").message.text  # one draft
    async with runtime.db.session() as session:
        assert len((await session.exec(select(Share))).all()) == 1


async def test_editing_a_posted_share_into_an_order_is_coached_before_the_channel_post_changes(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    share, _ = await share_and_post(runtime, platform, demo)
    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.revise", str(share.id)))
    form = platform.last("form").form
    assert form is not None
    updates = len(platform.of_kind("update"))
    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", DIRECTIVE, form.context))
    assert outcome.form is not None and outcome.form.title == "Edit your post"
    assert "“Everyone must”" in notes_by_field(outcome.form)["try"][0]
    assert len(platform.of_kind("update")) == updates  # the post in the channel is as it was
    await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", DIRECTIVE, outcome.form.context))
    assert "Everyone must post their updates" in platform.of_kind("update")[-1].message.text
