"""Leader controls, the frequency cap across campaigns, and no chasing, as a leader would notice
them: which DMs arrive, when, and what the admin's preview says about the rest."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.campaigns.preview import preview
from bot.clock import FixedClock
from bot.engine.controls import parse_snooze, pause, set_opted_out, skip_this_week, vacation
from bot.runtime import Runtime
from bot.scheduling.planner import describe
from bot.scheduling.ticks import plan_campaign
from bot.delivery.worker import DeliveryWorker
from storage.tables import Nudge, Person
from tests.scheduling.conftest import WS, dms, make_world, utc
from tests.support.recording import RecordingPlatform

BERLIN = {"ana": "Europe/Berlin"}
STEP_HOURS = 4


async def week(runtime: Runtime, clock: FixedClock, campaign: int, monday: date, days: int = 7) -> None:
    """Lives through `days` days in steps of a few hours (well inside the grace window): ticks and
    worker passes as the server would run them."""
    clock.set(utc(monday.year, monday.month, monday.day))
    for _ in range(days * 24 // STEP_HOURS):
        await plan_campaign(runtime.services, campaign)
        await DeliveryWorker(runtime.services).run_once()
        clock.advance(timedelta(hours=STEP_HOURS))


async def control(runtime: Runtime, action: str, today: date, argument: str = "") -> None:
    async with runtime.db.session() as session:
        ana = (await session.exec(Person.__table__.select().where(Person.platform_user_id == "ana"))).first()  # type: ignore[attr-defined]
        person = await session.get(Person, ana.id)
        assert person is not None
        if action == "vacation":
            await vacation(session, person, today, argument)
        elif action == "skip":
            await skip_this_week(session, person, today)
        elif action == "snooze":
            await pause(session, person, "snooze", today, parse_snooze(argument, today))
        else:
            set_opted_out(session, person, action == "optout")


@pytest.fixture
async def ana_weekly(runtime: Runtime, clock: FixedClock, platform: RecordingPlatform) -> int:
    clock.set(utc(2026, 11, 29, 12))
    world = await make_world(runtime, BERLIN)
    return await world.campaign(weekday=1, local_time="10:00", reminder_after_days=0)  # Tuesdays


async def test_vacation_skip_snooze_and_opt_out_hold_nudges_and_they_come_back(
        runtime: Runtime, clock: FixedClock, platform: RecordingPlatform, ana_weekly: int) -> None:
    await control(runtime, "vacation", date(2026, 11, 29), "until 2026-12-06")
    await week(runtime, clock, ana_weekly, date(2026, 11, 30))
    assert dms(platform) == []
    await week(runtime, clock, ana_weekly, date(2026, 12, 7))
    assert len(dms(platform)) == 1  # back from vacation: the next Tuesday's nudge arrives

    await control(runtime, "skip", date(2026, 12, 14))
    await week(runtime, clock, ana_weekly, date(2026, 12, 14))
    await control(runtime, "snooze", date(2026, 12, 21), "2w")
    await week(runtime, clock, ana_weekly, date(2026, 12, 21), days=14)
    assert len(dms(platform)) == 1
    await control(runtime, "optout", date(2027, 1, 4))
    await week(runtime, clock, ana_weekly, date(2027, 1, 4))
    await control(runtime, "optin", date(2027, 1, 11))
    await week(runtime, clock, ana_weekly, date(2027, 1, 11))
    assert len(dms(platform)) == 2
    async with runtime.db.session() as session:
        held = [n.last_error for n in (await session.exec(Nudge.__table__.select())).all() if n.state == "held"]  # type: ignore[attr-defined]
    assert held == ["vacation until 2026-12-06", "skip until 2026-12-20", "snooze until 2027-01-03",
                    "snooze until 2027-01-03", "opted out"]


async def test_preview_shows_what_is_held_back_and_why(runtime: Runtime, clock: FixedClock, ana_weekly: int) -> None:
    await control(runtime, "vacation", date(2026, 11, 29), "2026-12-06")
    result = await preview(runtime.services, WS, "Weekly", count=2)
    assert [(s.at, s.zone, s.status) for s in result.sends] == [
        ("2026-12-01T10:00:00+01:00", "Europe/Berlin", "held"), ("2026-12-08T10:00:00+01:00", "Europe/Berlin", "scheduled")]
    assert result.sends[0].reasons == ["held back: on vacation until 2026-12-06"]


async def test_the_cap_defers_across_campaigns_and_the_preview_says_so(
        runtime: Runtime, clock: FixedClock, platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 29, 12))
    world = await make_world(runtime, BERLIN)
    campaigns = [await world.campaign(f"C{n}", weekday=0, local_time="10:00", reminder_after_days=0) for n in range(4)]
    plan = await preview(runtime.services, WS, "C1")
    assert plan.sends[0].status == "scheduled"  # nothing planned yet: no conflict known
    for campaign in campaigns:
        await plan_campaign(runtime.services, campaign)
    before_run = await preview(runtime.services, WS, "C1")
    assert (before_run.sends[0].at, before_run.sends[0].zone) == ("2026-12-01T10:00:00+01:00", "Europe/Berlin")  # Tuesday
    assert any("deferred by the frequency cap" in r for r in before_run.sends[0].reasons)
    clock.set(utc(2026, 11, 30))
    for _ in range(7 * 24 // STEP_HOURS):
        for campaign in campaigns:
            await plan_campaign(runtime.services, campaign)
        await DeliveryWorker(runtime.services).run_once()
        clock.advance(timedelta(hours=STEP_HOURS))
    days = [d.sent.message_id for d in dms(platform)]  # type: ignore[union-attr]
    async with runtime.db.session() as session:
        rows = (await session.exec(Nudge.__table__.select())).all()  # type: ignore[attr-defined]
    sent = sorted(describe(n.sent_at, "Europe/Berlin")[:10] for n in rows if n.state == "sent")
    # four Monday campaigns: one a working day, three a week; the fourth waits for next week
    assert sent == ["2026-11-30", "2026-12-01", "2026-12-02"] and len(days) == 3
    waiting = [n for n in rows if n.state == "planned" and n.period == "2026-W49"]
    assert len(waiting) == 1 and describe(waiting[0].due_at, "Europe/Berlin").startswith("2026-12-07")


async def test_one_gentle_reminder_after_two_working_days_and_never_more(
        runtime: Runtime, clock: FixedClock, platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 22, 12))
    world = await make_world(runtime, BERLIN)
    chasing = await world.campaign("Thursdays", weekday=3, local_time="10:00")  # default: remind after 2 days
    quiet = await world.campaign("No reminders", weekday=3, local_time="10:00", reminder_after_days=0,
                                 every_n_weeks=2, start_date=date(2026, 12, 3))
    await week(runtime, clock, chasing, date(2026, 11, 23), days=6)  # Thursday's nudge, then silence
    assert [d.message.title for d in dms(platform)] == ["Time to go first"]  # type: ignore[union-attr]
    clock.set(utc(2026, 11, 30, 8, 59))  # Monday 09:59 Berlin: two working days after Thursday 10:00
    await DeliveryWorker(runtime.services).run_once()
    assert len(dms(platform)) == 1
    clock.set(utc(2026, 11, 30, 9))
    for _ in range(48 // STEP_HOURS):
        await DeliveryWorker(runtime.services).run_once()
        clock.advance(timedelta(hours=STEP_HOURS))
    reminders = [d.message for d in dms(platform) if d.message and d.message.title == "A gentle reminder"]
    assert len(reminders) == 1 and "only reminder" in (reminders[0].context or "")
    assert reminders[0].actions and reminders[0].actions[0].action_id == "nudge.share"  # still one click away

    # a campaign with reminders off never follows up; nor does one the leader answered
    await week(runtime, clock, quiet, date(2026, 12, 3), days=7)
    titles = [d.message.title for d in dms(platform)]  # type: ignore[union-attr]
    assert titles.count("A gentle reminder") == 1


async def test_answered_nudges_get_no_reminder(runtime: Runtime, clock: FixedClock, platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 22, 12))
    world = await make_world(runtime, BERLIN)
    campaign = await world.campaign("Thursdays", weekday=3, local_time="10:00", reminder_after_days=1)
    await week(runtime, clock, campaign, date(2026, 11, 23), days=4)
    async with runtime.db.session() as session:
        nudge = (await session.exec(Nudge.__table__.select())).first()  # type: ignore[attr-defined]
        row = await session.get(Nudge, nudge.id)
        assert row is not None and row.state == "sent"
        row.state = "skipped"  # the leader pressed "Skip this week"
        session.add(row)
    await week(runtime, clock, campaign, date(2026, 11, 27), days=4)
    assert [d.message.title for d in dms(platform)] == ["Time to go first"]  # type: ignore[union-attr]
