"""Working hours and quiet days are checked again when a nudge, reminder or digest actually goes out:
a catch-up after downtime at night waits for the next working moment, inside the grace window."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlmodel import select

from bot.clock import FixedClock
from bot.core import events
from bot.delivery.nudges import plan_nudge
from bot.delivery.policy import SendFacts, next_working_moment, send_decision
from bot.delivery.states import NudgeState
from bot.delivery.worker import DeliveryWorker
from bot.demo import DEMO_WORKSPACE, DemoIds
from bot.runtime import Runtime
from bot.scheduling.planner import Hours
from storage.tables import Campaign, Nudge, Person
from storage.tables.scheduling import NudgeReminder
from tests.support.recording import RecordingPlatform

BERLIN = Hours(tz="Europe/Berlin", work_start=time(9), work_end=time(17))
FRIDAY_16 = datetime(2026, 11, 27, 15, tzinfo=timezone.utc)      # Friday 16:00 in Berlin
SATURDAY_03 = datetime(2026, 11, 28, 2, tzinfo=timezone.utc)     # Saturday 03:00 in Berlin
MONDAY_09 = datetime(2026, 11, 30, 8, tzinfo=timezone.utc)       # Monday 09:00 in Berlin


def facts(now: datetime, due: datetime = FRIDAY_16, grace: float = 6.0, scheduled: bool = True) -> SendFacts:
    return SendFacts(now=now, due_at=due, hours=BERLIN, held=None, pause=None, grace_hours=grace, scheduled=scheduled)


def test_a_catch_up_at_night_waits_for_the_next_working_moment() -> None:
    decision = send_decision(facts(SATURDAY_03))
    assert decision is not None and decision[0] == NudgeState.RETRY
    assert decision.not_before == MONDAY_09 and "next working moment Mon 2026-11-30 09:00" in decision[1]
    assert send_decision(facts(MONDAY_09)) is None  # one working hour late: inside the grace window


def test_later_than_the_grace_window_is_missed_with_the_reason() -> None:
    decision = send_decision(facts(MONDAY_09 + timedelta(hours=6), grace=6))
    assert decision is not None and decision[0] == NudgeState.MISSED and "7.0 working hours late" in decision[1]


def test_an_admins_send_now_and_the_persons_own_holds_are_unchanged() -> None:
    assert send_decision(facts(SATURDAY_03, scheduled=False)) is None
    held = SendFacts(now=MONDAY_09, due_at=FRIDAY_16, hours=BERLIN, held="opted out", pause=None, grace_hours=6)
    assert send_decision(held) == (NudgeState.HELD, "opted out")


def test_the_next_working_moment_skips_quiet_days_and_crosses_dst() -> None:
    assert next_working_moment(datetime(2026, 11, 27, 10, tzinfo=timezone.utc), BERLIN) == \
        datetime(2026, 11, 27, 10, tzinfo=timezone.utc)  # inside hours: now
    spring = datetime(2026, 3, 28, 20, tzinfo=timezone.utc)  # Saturday night before the clocks go forward
    assert next_working_moment(spring, BERLIN) == datetime(2026, 3, 30, 7, tzinfo=timezone.utc)  # 09:00 CEST


async def berlin_nudge(runtime: Runtime, demo: DemoIds, clock: FixedClock) -> int:
    await runtime.engine.handle(events.CommandReceived(DEMO_WORKSPACE, "alex", "timezone Europe/Berlin"))
    async with runtime.db.session() as session:
        campaign = await session.get(Campaign, demo.campaign_id)
        leader = await session.get(Person, demo.leader_id)
        assert campaign is not None and leader is not None
        campaign.state, campaign.reminder_after_days = "active", 1
        session.add(campaign)
        nudge, _ = await plan_nudge(session, runtime.services, campaign, leader, "2026-W48", FRIDAY_16)
        await session.flush()
        assert nudge.id is not None
        return nudge.id


async def test_a_nudge_due_friday_and_caught_up_saturday_night_goes_out_monday_morning(
        runtime: Runtime, platform: RecordingPlatform, demo: DemoIds, clock: FixedClock) -> None:
    nudge_id = await berlin_nudge(runtime, demo, clock)
    clock.set(SATURDAY_03)
    await DeliveryWorker(runtime.services).run_once()
    async with runtime.db.session() as session:
        waiting = await session.get(Nudge, nudge_id)
    assert waiting is not None and waiting.state == "retry" and (waiting.last_error or "").startswith("not yet")
    assert [d for d in platform.of_kind("dm") if d.message and d.message.kind == "nudge"] == []
    clock.set(MONDAY_09)
    await DeliveryWorker(runtime.services).run_once()
    async with runtime.db.session() as session:
        sent = await session.get(Nudge, nudge_id)
    assert sent is not None and sent.state == "sent" and sent.sent_at == MONDAY_09


async def test_a_reminder_due_at_night_waits_for_working_hours(runtime: Runtime, platform: RecordingPlatform,
                                                               demo: DemoIds, clock: FixedClock) -> None:
    await berlin_nudge(runtime, demo, clock)
    clock.set(FRIDAY_16)
    await DeliveryWorker(runtime.services).run_once()  # the nudge goes out on time
    clock.set(datetime(2026, 12, 1, 2, tzinfo=timezone.utc))  # Tuesday 03:00: the reminder is due since Monday 16:00
    await DeliveryWorker(runtime.services).run_once()
    async with runtime.db.session() as session:
        assert (await session.exec(select(NudgeReminder))).all() == []
    clock.set(datetime(2026, 12, 1, 8, tzinfo=timezone.utc))  # Tuesday 09:00
    await DeliveryWorker(runtime.services).run_once()
    reminders = [d for d in platform.of_kind("dm") if d.message and d.message.title == "A gentle reminder"]
    assert len(reminders) == 1
