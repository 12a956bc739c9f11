"""Text commands as a leader types them: clear answers, never an error."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.demo import DEMO_WORKSPACE, DemoIds
from bot.core import events
from bot.delivery import send_now
from bot.runtime import Runtime
from storage.repositories.people import find_person
from tests.support.recording import RecordingPlatform

W = DEMO_WORKSPACE


async def say(runtime: Runtime, platform: RecordingPlatform, text: str) -> str:
    await runtime.engine.handle(events.CommandReceived(W, "alex", text))
    return platform.last("dm").message.text


async def test_an_unknown_command_gets_help(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds) -> None:
    await runtime.engine.handle(events.CommandReceived(W, "alex", "dance"))
    message = platform.last("dm").message
    assert message.kind == "help" and '"dance"' in message.text
    assert "snooze 1w | 2w | until YYYY-MM-DD" in [f.label for f in message.facts]
    assert {"digest", "analysis off | on", "export", "erase"} <= {f.label for f in message.facts}
    assert "a week counts when you share and answer at least one reply, or share and nobody replies by the end " \
           "of your week. A week in progress is never lost" in (message.context or "")


@pytest.mark.parametrize(("text", "expected"), [
    ("snooze 2w", "Snoozed until 2026-12-07"),
    ("snooze until 2026-12-24", "Snoozed until 2026-12-24"),
    ("snooze until 24/12", "YYYY-MM-DD"),
    ("snooze until 2020-01-01", "That date has passed"),
    ("snooze forever", "Snooze for 1w, 2w"),
    ("vacation until 2026-12-31", "No nudges until 2026-12-31"),
    ("vacation", "the day you're back"),
    ("skip", "No nudge this week. See you after 2026-11-29"),
    ("timezone Asia/Kolkata", "now follow Asia/Kolkata"),
    ("timezone Mars/Base", "don't know the timezone \"Mars/Base\""),
    ("hours 08:30-16:30", "now 08:30-16:30"),
    ("hours 17:00-09:00", "Change them like this"),
    ("optin", "already getting nudges"),
    ("analysis maybe", "Write `analysis off`"),
    ("digest", "You haven't posted a share in the last two weeks"),
])
async def test_commands_answer_in_words(runtime: Runtime, platform: RecordingPlatform, demo: DemoIds,
                                        text: str, expected: str) -> None:
    assert expected in await say(runtime, platform, text)


async def test_settings_stick_and_vacation_or_opt_out_hold_nudges(runtime: Runtime, platform: RecordingPlatform,
                                                             demo: DemoIds, clock: FixedClock) -> None:
    await say(runtime, platform, "timezone America/New_York")
    await say(runtime, platform, "hours 08:00-15:00 4,5,6")
    async with runtime.db.session() as session:
        alex = await find_person(session, W, "alex")
    assert alex and (alex.tz, alex.tz_overridden, alex.work_start, alex.work_end, alex.quiet_days) == \
        ("America/New_York", True, "08:00", "15:00", "4,5,6")
    assert "Timezone" in [f.label for f in (await status(runtime, platform)).facts]

    await say(runtime, platform, "vacation until 2026-12-11")
    clock.advance(timedelta(days=7))
    nudge, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert not sent and nudge.state != "sent"
    assert [d for d in platform.of_kind("dm") if d.message.kind == "nudge"] == []

    await say(runtime, platform, "optout")
    assert "already opted out" in await say(runtime, platform, "optout")
    clock.advance(timedelta(days=14))
    nudge, sent = await send_now(runtime.services, demo.campaign_id, demo.leader_id)
    assert not sent and nudge.state == "held"


async def status(runtime: Runtime, platform: RecordingPlatform):  # type: ignore[no-untyped-def]
    await runtime.engine.handle(events.CommandReceived(W, "alex", "status"))
    return platform.last("dm").message
