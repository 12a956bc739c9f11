"""The outbox end to end on SQLite and PostgreSQL: right local times, exactly once across a crash
and restart and across two workers, retries, permanent errors, and no stale burst after downtime."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.clock import FixedClock
from bot.delivery import send_now
from bot.core.port import DeliveryError
from bot.runtime import Runtime
from bot.delivery.policy import Policy
from bot.scheduling.ticks import plan_campaign
from bot.delivery.worker import DeliveryWorker
from storage.tables import Nudge
from storage.tables.scheduling import NudgeDelivery
from tests.scheduling.conftest import Crash, MarkingPlatform, World, dms, make_world, restarted, utc
from tests.support.recording import RecordingPlatform

SUNDAY_NOON = utc(2026, 11, 29, 12)


async def nudges(runtime: Runtime) -> list[Nudge]:
    async with runtime.db.session() as session:
        return list((await session.exec(select(Nudge).order_by(col(Nudge.id)))).all())


async def tick_and_run(runtime: Runtime, campaign_id: int) -> None:
    await plan_campaign(runtime.services, campaign_id)
    await DeliveryWorker(runtime.services).run_once()


async def test_each_leader_gets_monday_ten_in_their_own_zone(runtime: Runtime, clock: FixedClock, world: World,
                                                              platform: RecordingPlatform) -> None:
    clock.set(SUNDAY_NOON)
    campaign = await world.campaign(weekday=0, local_time="10:00")
    report = await plan_campaign(runtime.services, campaign)
    assert report.planned == 4 and (await plan_campaign(runtime.services, campaign)).planned == 0
    expected = {"kenji": utc(2026, 11, 30, 1), "chitra": utc(2026, 11, 30, 4, 30),
                "ana": utc(2026, 11, 30, 9), "ben": utc(2026, 11, 30, 15)}
    for who, when in sorted(expected.items(), key=lambda kv: kv[1]):
        clock.set(when - timedelta(minutes=1))
        await DeliveryWorker(runtime.services).run_once()
        assert who not in [d.target for d in dms(platform)]  # never early
        clock.set(when)
        await DeliveryWorker(runtime.services).run_once()
        assert dms(platform)[-1].target == who
    assert len(dms(platform)) == 4
    assert runtime.services.metrics.value("gofirst_nudges_delivered_total", outcome="sent") == 4
    async with runtime.db.session() as session:
        local = {d.local_due for d in (await session.exec(select(NudgeDelivery))).all()}
    assert "2026-11-30T10:00:00+05:30[Asia/Kolkata]" in local


async def test_crash_between_send_and_record_sends_once_after_restart(runtime: Runtime, clock: FixedClock,
                                                                       world: World, marking: MarkingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))  # Ana's Monday 10:00 in Berlin
    campaign = await world.campaign(weekday=0, local_time="10:00")
    await plan_campaign(runtime.services, campaign)
    marking.crash_after_send = True
    with pytest.raises(Crash):
        await DeliveryWorker(runtime.services).run_once()
    assert len(dms(marking)) == 1  # it went out, but the process died before recording it
    second = restarted(runtime, clock, marking)
    try:
        await DeliveryWorker(second.services).run_once()
        assert len(dms(marking)) == 1  # still inside the lease: nobody touches the row
        clock.advance(timedelta(minutes=3))
        assert (await DeliveryWorker(second.services).run_once()).recovered == 1
        for _ in range(3):
            await DeliveryWorker(second.services).run_once()
    finally:
        await second.db.dispose()
    assert len(dms(marking)) == 1
    [ana] = [n for n in await nudges(runtime) if n.leader_id == world.people["ana"]]
    assert ana.state == "sent" and ana.platform_message_id == dms(marking)[0].sent.message_id  # type: ignore[union-attr]


async def test_crash_before_send_sends_once_after_restart(runtime: Runtime, clock: FixedClock, world: World,
                                                          marking: MarkingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))
    await plan_campaign(runtime.services, await world.campaign(weekday=0, local_time="10:00"))
    marking.crash_before_send = True
    with pytest.raises(Crash):
        await DeliveryWorker(runtime.services).run_once()
    assert dms(marking) == []
    clock.advance(timedelta(minutes=3))
    await DeliveryWorker(runtime.services).run_once()  # not found at the platform: it never went out
    await DeliveryWorker(runtime.services).run_once()
    assert [d.target for d in dms(marking)] == ["ana"]


async def test_platform_that_cannot_tell_gets_at_most_once_and_an_admin_flag(
        runtime: Runtime, clock: FixedClock, world: World, platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))
    await plan_campaign(runtime.services, await world.campaign(weekday=0, local_time="10:00"))

    original = platform.send_dm

    async def crash(*args: object) -> None:
        await original(*args)  # type: ignore[arg-type]
        raise Crash()  # sent, then killed before recording

    platform.send_dm = crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await DeliveryWorker(runtime.services).run_once()
    platform.send_dm = original  # type: ignore[method-assign]
    clock.advance(timedelta(minutes=3))
    await DeliveryWorker(runtime.services).run_once()
    [ana] = [n for n in await nudges(runtime) if n.leader_id == world.people["ana"]]
    assert ana.state == "unknown" and "not resent" in (ana.last_error or "")
    assert len(dms(platform)) == 1  # nothing sent a second time


async def test_two_workers_racing_send_every_nudge_exactly_once(runtime: Runtime, clock: FixedClock,
                                                                 platform: RecordingPlatform) -> None:
    clock.set(SUNDAY_NOON)
    world = await make_world(runtime, work_start="00:00", work_end="23:59")  # any hour is a working one
    for n in range(3):
        await plan_campaign(runtime.services, await world.campaign(f"C{n}", weekday=0, local_time="10:00"))
    clock.set(utc(2026, 11, 30, 16))  # everyone's Monday 10:00 has come (New York's at 15:00 UTC)
    other = restarted(runtime, clock, platform)
    try:
        workers = [DeliveryWorker(r.services, Policy(grace_hours=24), batch=2) for r in (runtime, other) * 2]
        await asyncio.gather(*(w.run_once() for w in workers))
    finally:
        await other.db.dispose()
    rows = await nudges(runtime)
    # the cap (one a working day) defers the 2nd and 3rd campaign's nudge: 4 sent today, 8 later
    assert sorted(n.state for n in rows) == ["planned"] * 8 + ["sent"] * 4
    sent_ids = [d.message.actions[0].value for d in dms(platform)]  # type: ignore[union-attr]
    assert sorted(sent_ids) == sorted(str(n.id) for n in rows if n.state == "sent")  # each exactly once
    assert sorted(d.target for d in dms(platform)) == ["ana", "ben", "chitra", "kenji"]


async def test_retry_after_is_honoured_and_permanent_errors_are_recorded(
        runtime: Runtime, clock: FixedClock, world: World, platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))
    await plan_campaign(runtime.services, await world.campaign(weekday=0, local_time="10:00"))
    platform.fail_next.append(DeliveryError("ratelimited", permanent=False, retry_after=600))
    await DeliveryWorker(runtime.services).run_once()
    [ana] = [n for n in await nudges(runtime) if n.leader_id == world.people["ana"]]
    assert ana.state == "retry" and ana.last_error == "ratelimited"
    clock.advance(timedelta(seconds=590))
    await DeliveryWorker(runtime.services).run_once()
    assert dms(platform) == []
    clock.advance(timedelta(seconds=10))
    await DeliveryWorker(runtime.services).run_once()
    assert [d.target for d in dms(platform)] == ["ana"]

    clock.set(utc(2026, 11, 30, 15))  # Ben's turn; his DM channel is gone for good
    platform.fail_next.append(DeliveryError("channel_not_found", permanent=True, scope="channel"))
    await DeliveryWorker(runtime.services).run_once()
    [ben] = [n for n in await nudges(runtime) if n.leader_id == world.people["ben"]]
    assert (ben.state, ben.last_error) == ("failed", "channel_not_found")
    clock.advance(timedelta(days=1))
    await DeliveryWorker(runtime.services).run_once()
    assert [d.target for d in dms(platform)] == ["ana"]


async def test_transient_errors_give_up_after_max_attempts(runtime: Runtime, clock: FixedClock, world: World,
                                                           platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))
    await plan_campaign(runtime.services, await world.campaign(weekday=0, local_time="10:00"))
    policy = Policy(max_attempts=3, grace_hours=100)
    for _ in range(3):
        platform.fail_next.append(DeliveryError("server error 503", permanent=False))
        await DeliveryWorker(runtime.services, policy).run_once()
        clock.advance(timedelta(hours=1))
    [ana] = [n for n in await nudges(runtime) if n.leader_id == world.people["ana"]]
    assert ana.state == "failed" and ana.last_error == "gave up after 3 attempts: server error 503"


async def test_a_week_of_downtime_sends_no_stale_burst(runtime: Runtime, clock: FixedClock, world: World,
                                                       platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 20, 12))  # active since the Friday before; then the server is down a week+
    campaign = await world.campaign(cron="0 10 * * 1-5")  # every working day at 10:00 local
    clock.set(utc(2026, 11, 30, 5))  # back on Monday: Tokyo (14:00) and Kolkata (10:30) are past 10:00
    await tick_and_run(runtime, campaign)
    rows = await nudges(runtime)
    sent = [d.target for d in dms(platform)]
    assert sorted(sent) == ["chitra", "kenji"]  # today's, inside the grace window: once each
    missed = [n for n in rows if n.state == "missed"]
    assert len(missed) >= 16 and all("working hours late" in (n.last_error or "") for n in missed)
    await DeliveryWorker(runtime.services).run_once()
    assert len(dms(platform)) == 2


async def test_catch_up_inside_the_grace_window_sends_once(runtime: Runtime, clock: FixedClock, world: World,
                                                           platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 26, 12))
    campaign = await world.campaign(weekday=4, local_time="16:00")  # Fridays 16:00
    clock.set(utc(2026, 11, 30, 10))  # down from Friday morning until Monday 10:00 UTC
    await tick_and_run(runtime, campaign)
    # Berlin: due Fri 16:00, 1 working hour on Friday + 2 on Monday = 3 <= 6: sent once now.
    # Tokyo and Kolkata: more than 6 working hours of Monday have passed too: missed.
    states = {n.leader_id: n.state for n in await nudges(runtime)}
    assert states[world.people["ana"]] == "sent" and states[world.people["kenji"]] == "missed"
    await tick_and_run(runtime, campaign)
    assert [d.target for d in dms(platform)].count("ana") == 1


async def test_send_now_and_the_worker_never_both_send(runtime: Runtime, clock: FixedClock, world: World,
                                                       platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))
    campaign = await world.campaign(weekday=0, local_time="10:00")
    await plan_campaign(runtime.services, campaign)
    nudge, sent = await send_now(runtime.services, campaign, world.people["ana"])
    assert sent
    await DeliveryWorker(runtime.services).run_once()
    again, sent_again = await send_now(runtime.services, campaign, world.people["ana"])
    assert not sent_again and [d.target for d in dms(platform)] == ["ana"]


async def test_a_prompt_removed_from_its_pack_fails_visibly_instead_of_looping(
        runtime: Runtime, clock: FixedClock, world: World, platform: RecordingPlatform) -> None:
    clock.set(utc(2026, 11, 30, 9))
    await plan_campaign(runtime.services, await world.campaign(weekday=0, local_time="10:00"))
    async with runtime.db.session() as session:
        for row in (await session.exec(select(Nudge))).all():
            row.prompt_id = "gone"
            session.add(row)
    await DeliveryWorker(runtime.services).run_once()
    [ana] = [n for n in await nudges(runtime) if n.leader_id == world.people["ana"]]
    assert ana.state == "failed" and "no longer installed" in (ana.last_error or "") and dms(platform) == []


async def test_a_campaign_past_its_end_date_ends_itself(runtime: Runtime, clock: FixedClock, world: World,
                                                        platform: RecordingPlatform) -> None:
    from datetime import date

    from storage.tables import Campaign
    clock.set(utc(2026, 11, 29, 12))
    campaign = await world.campaign(weekday=0, end_date=date(2026, 12, 1))
    await tick_and_run(runtime, campaign)
    clock.set(utc(2026, 12, 3, 12))
    assert (await plan_campaign(runtime.services, campaign)).problems == ["ended: its end date 2026-12-01 has passed"]
    async with runtime.db.session() as session:
        assert (await session.get(Campaign, campaign)).state == "ended"  # type: ignore[union-attr]
