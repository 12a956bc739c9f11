"""A person's zone comes from the platform profile unless they set their own; bad values never crash."""
from __future__ import annotations

import pytest

from bot.core.port import Profile
from bot.runtime import Runtime
from bot.scheduling.people import apply_zone, hours_of, override_hours, override_timezone, profile_zone
from bot.scheduling.planner import PlanError
from bot.delivery.worker import DeliveryWorker
from storage.tables import Person
from tests.scheduling.conftest import make_world
from tests.support.recording import RecordingPlatform


async def test_profile_zone_applies_until_the_person_overrides_it(runtime: Runtime, platform: RecordingPlatform) -> None:
    world = await make_world(runtime, {"ana": "UTC"})
    platform.profiles["ana"] = Profile("Ana", tz="Asia/Kolkata")
    async with runtime.db.session() as session:
        ana = await session.get(Person, world.people["ana"])
        assert ana is not None
        assert apply_zone(session, ana, await profile_zone(platform, ana)) and ana.tz == "Asia/Kolkata"
        override_timezone(session, ana, "Europe/Berlin")
        platform.profiles["ana"] = Profile("Ana", tz="America/New_York")
        assert not apply_zone(session, ana, await profile_zone(platform, ana)) and ana.tz == "Europe/Berlin"
        with pytest.raises(PlanError, match="IANA"):
            override_timezone(session, ana, "Mars/Base")
        override_timezone(session, ana, None)  # back to the profile's
        assert apply_zone(session, ana, await profile_zone(platform, ana)) and ana.tz == "America/New_York"
        platform.profiles["ana"] = Profile("Ana", tz="Not/AZone")
        assert not apply_zone(session, ana, await profile_zone(platform, ana))  # a bad profile zone is ignored


async def test_working_hours_override_is_validated_and_bad_stored_values_fall_back(runtime: Runtime) -> None:
    world = await make_world(runtime, {"ana": "Europe/Berlin"})
    async with runtime.db.session() as session:
        ana = await session.get(Person, world.people["ana"])
        assert ana is not None
        override_hours(session, ana, "13:00", "21:00", "sun,mon")
        assert (hours_of(ana).work_start.hour, hours_of(ana).quiet_days) == (13, frozenset({6, 0}))
        with pytest.raises(PlanError, match="must end after"):
            override_hours(session, ana, "18:00", "09:00")
        ana.tz, ana.work_start, ana.quiet_days = "Nowhere/Land", "25:99", "0,1,2,3,4,5,6"
        hours = hours_of(ana)
        assert (hours.tz, hours.work_start.hour, hours.quiet_days) == ("UTC", 9, frozenset({5, 6}))


async def test_the_worker_loop_survives_a_failing_round(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    worker = DeliveryWorker(runtime.services, interval=0.01)
    passes: list[int] = []

    async def failing_pass() -> None:
        passes.append(1)
        if len(passes) >= 3:
            worker._stop.set()
        raise ConnectionError("database down")

    monkeypatch.setattr(worker, "_round", failing_pass)
    await worker._loop()  # returns once stopped, having logged each failure instead of dying
    assert len(passes) == 3


async def test_a_failing_profile_lookup_keeps_the_zone_and_planning_goes_on(
        runtime: Runtime, platform: RecordingPlatform, monkeypatch: pytest.MonkeyPatch) -> None:
    world = await make_world(runtime, {"ana": "Europe/Berlin"})

    async def broken(*_args: object) -> None:
        raise TimeoutError("profile API slow")

    monkeypatch.setattr(platform, "fetch_profile", broken)
    async with runtime.db.session() as session:
        ana = await session.get(Person, world.people["ana"])
        assert ana is not None and not apply_zone(session, ana, await profile_zone(platform, ana)) and ana.tz == "Europe/Berlin"
