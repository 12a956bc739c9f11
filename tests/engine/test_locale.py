"""A person's language through the engine: the platform's locale on meeting, the `language`
command that wins over it, and German nudges, coaching, digests and answers for a German leader."""
from __future__ import annotations

from bot.copy import load_copy
from bot.core import events
from bot.core.port import Profile
from bot.delivery import send_now
from bot.delivery.digests import send_digest
from bot.demo import DEMO_CHANNEL, DEMO_WORKSPACE, DemoIds
from bot.runtime import Runtime
from storage.repositories.people import find_person
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE
GERMAN = load_copy("de")


async def say(runtime: Runtime, platform: RecordingPlatform, text: str, user: str = "alex", **extra: str) -> str:
    await runtime.engine.handle(events.CommandReceived(W, user, text, **extra))
    return platform.last("dm").message.text


async def locale(runtime: Runtime, user: str) -> tuple[str | None, bool]:
    async with runtime.db.session() as session:
        person = await find_person(session, W, user)
    assert person is not None
    return person.locale, person.locale_overridden


async def test_a_newcomer_whose_profile_says_de_DE_is_answered_in_german(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    platform.profiles["nina"] = Profile("Nina Berg", "Europe/Berlin", "de-DE")
    await runtime.engine.handle(events.CommandReceived(W, "nina", "hilfe"))
    message = platform.last("dm").message
    assert message.text == GERMAN("help.unknown", command="hilfe")
    assert ("snooze 1w | 2w | until JJJJ-MM-TT", GERMAN("commands.snooze.about")) in \
        [(f.label, f.value) for f in message.facts]
    assert await locale(runtime, "nina") == ("de", False)


async def test_the_language_command_shows_switches_and_refuses_unknown_codes(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    assert await say(runtime, platform, "language") == \
        "I speak English with you. Change it with `language en`, `language de`."
    assert await say(runtime, platform, "language klingon") == \
        "I can't speak \"klingon\". Choose one of these: `language en`, `language de`."
    assert await locale(runtime, "alex") == (None, False)  # nothing stored for a bad code
    assert await say(runtime, platform, "language de-AT") == "Alles klar: Ab jetzt spreche ich mit dir Deutsch."
    assert (await say(runtime, platform, "snooze forever")).startswith("Pausiere für 1w, 2w")
    await runtime.engine.handle(events.CommandReceived(W, "alex", "status"))
    status = platform.last("dm").message
    assert status.title == "Dein GoFirst-Status" and ("Sprache", "Deutsch") in [(f.label, f.value) for f in status.facts]
    assert await say(runtime, platform, "language en") == "Got it: from now on I speak English with you."
    assert (await say(runtime, platform, "skip")).startswith("No nudge this week")


async def test_a_language_picked_by_command_outlasts_the_platform_locale(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    assert (await say(runtime, platform, "optin", locale="de-DE")).startswith("Du bekommst schon")  # platform's
    assert await locale(runtime, "alex") == ("de", False)
    await say(runtime, platform, "language en", locale="de-DE")
    assert (await say(runtime, platform, "optin", locale="de-DE")).startswith("You're already getting nudges")
    await runtime.engine.handle(events.ProfileSeen(W, "alex", "Alex Rivera", locale="de-CH"))
    assert await locale(runtime, "alex") == ("en", True)


async def test_a_german_leader_gets_the_german_nudge_and_home(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    await say(runtime, platform, "language de")
    nudge, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert sent
    message = platform.last("dm").message
    german = runtime.services.translated_packs["de"][nudge.pack].nudges
    prompt = next(p for p in german if p.id == nudge.prompt_id)
    assert message.title == "Zeit, voranzugehen" and prompt.text in message.text
    assert [a.label for a in message.actions][:2] == ["Jetzt teilen", "Eine Woche pausieren"]
    await runtime.engine.handle(events.ActionClicked(W, "alex", "nudge.skip", str(nudge.id),
                                                     channel_id="dm:alex", message_id="m1"))
    closed = platform.last("update").message
    assert closed.context == "Diese Woche ausgelassen. Bis nächste Woche." and closed.text == prompt.text
    await runtime.engine.handle(events.HomeOpened(W, "alex"))
    home = platform.last("home").home
    assert home is not None and home.title == "GoFirst für Alex Rivera"


async def test_an_english_leader_keeps_english_nudges(runtime: Runtime, platform: RecordingPlatform,
                                                     demo: DemoIds) -> None:
    nudge, _ = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    english = next(p for p in runtime.services.packs[nudge.pack].nudges if p.id == nudge.prompt_id)
    assert platform.last("dm").message.title == "Time to go first" and english.text in platform.last("dm").message.text


GERMAN_ORDER = {"try": "Ab Montag müssen alle ihre Updates im Kanal posten.",
                "why": "Entscheidungen bleiben in meinem Postfach hängen.",
                "barrier": "ehrlich gesagt die Zeit", "ask": "Was macht es für euch schwer?", "channel": DEMO_CHANNEL}


async def test_a_german_leader_is_coached_in_german_and_gets_a_german_digest_and_answer_form(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    await say(runtime, platform, "language de")
    await runtime.engine.handle(events.CommandReceived(W, "alex", "share"))
    form = platform.last("form").form
    assert form is not None and form.title == "Geh voran"
    outcome = await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", GERMAN_ORDER, form.context))
    assert outcome.form is not None and outcome.form.notes[0] == GERMAN("coaching.share.intro")
    await runtime.engine.handle(events.FormSubmitted(W, "alex", "share", GERMAN_ORDER, outcome.form.context))
    preview = platform.last("dm").message
    assert GERMAN("share.preview.coach_intro") in preview.text and "ein Vorbild-Post sagt" in preview.text
    reframe = next(a for a in preview.actions if a.action_id == "share.reframe")
    assert reframe.label == "Die Vorbild-Version nehmen"
    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.reframe", reframe.value))
    rewritten = platform.last("dm").message
    assert rewritten.text.startswith(GERMAN("share.preview.reframed")) and "versuche ich" in rewritten.text
    post = next(a for a in rewritten.actions if a.action_id == "share.post")
    await runtime.engine.handle(events.ActionClicked(W, "alex", "share.post", post.value))
    assert platform.last("post").message.title == "Alex Rivera geht voran"
    thread = platform.last("post").sent.message_id

    await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, "r1", "sam",
                                                          "Die IT sperrt die App auf meinem Laptop"))
    assert await send_digest(runtime.services, int(post.value))  # sent by the clock: still the leader's language
    digest = platform.last("dm").message
    assert digest.title == "Dein Team hat geantwortet" and digest.text.startswith("1 neue Antwort auf deinen Beitrag")
    answer = next(a for a in digest.actions if a.action_id == "digest.answer")
    assert answer.label == "Sam Okafor antworten"
    await runtime.engine.handle(events.ActionClicked(W, "alex", "digest.answer", answer.value))
    answer_form = platform.last("form").form
    assert answer_form is not None and answer_form.title == "Den Kreis schließen"


def test_every_german_pack_has_the_english_packs_nudges_in_the_same_order_and_themes() -> None:
    from bot.coach.packs import load_packs
    from bot.runtime import translated_packs

    english, german = load_packs(), translated_packs()["de"]
    assert sorted(german) == sorted(english)
    for pack_id, pack in english.items():
        assert german[pack_id].locale == "de"
        assert [(n.id, n.theme) for n in german[pack_id].nudges] == [(n.id, n.theme) for n in pack.nudges]
        assert all(d.text != e.text for d, e in zip(german[pack_id].nudges, pack.nudges))  # translated


async def test_a_nudge_the_german_pack_lacks_stays_english(runtime: Runtime) -> None:
    from dataclasses import replace

    from bot.delivery.prompts import prompt_for

    packs = runtime.services.translated_packs["de"]
    pack = packs["going-first"]
    packs["going-first"] = replace(pack, nudges=pack.nudges[1:])  # gf-01 not translated yet
    english = runtime.services.packs["going-first"].nudges[0]
    assert prompt_for(runtime.services, "going-first", english.id, "de") == english
    assert prompt_for(runtime.services, "going-first", "gf-02", "de-DE") == pack.nudges[1]


async def test_an_english_teammates_erase_rebuilds_the_german_leaders_digest_in_german(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    from tests.engine.test_loop import share_and_post

    await say(runtime, platform, "language de")
    _, thread = await share_and_post(runtime, platform, demo)
    for n, user in enumerate(("sam", "priya")):
        await runtime.engine.handle(events.ChannelReplyPosted(W, DEMO_CHANNEL, thread, f"r{n}", user, "no time"))
    await runtime.engine.handle(events.CommandReceived(W, "alex", "digest"))
    digest = platform.last("dm")
    assert digest.message.title == "Dein Team hat geantwortet"
    await runtime.engine.handle(events.CommandReceived(W, "sam", "erase"))
    await runtime.engine.handle(events.ActionClicked(W, "sam", "privacy.erase", "confirm"))
    assert platform.last("dm").message.text.startswith("Erased:")  # Sam's own answer: English
    rewritten = [d for d in platform.of_kind("update") if d.sent == digest.sent][-1].message
    assert rewritten.title == "Dein Team hat geantwortet" and [f.label for f in rewritten.facts] == ["Priya Nair"]
