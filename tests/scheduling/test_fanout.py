"""A big campaign: profiles are asked for only when their last check is old, a campaign's plan is
committed in chunks (its first nudges can leave while the rest are planned), and every workspace
is delivered to at once, so one slow or throttled workspace doesn't hold the others back."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.clock import FixedClock
from bot.core.messages import Message, Sent
from bot.core.port import Profile
from bot.delivery.policy import Policy
from bot.delivery.worker import DeliveryWorker
from bot.runtime import Runtime
from bot.scheduling import ticks
from bot.scheduling.ticks import plan_campaign
from storage.tables import Campaign, Nudge, Person, Team, Workspace
from storage.tables.scheduling import CampaignSchedule
from tests.scheduling.conftest import make_world
from tests.support.recording import RecordingPlatform

OTHER = "local:globex"


@dataclass
class CountingPlatform(RecordingPlatform):
    asked: list[str] = field(default_factory=list)

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        self.asked.append(user_id)
        return await super().fetch_profile(workspace_id, user_id)


async def campaign_in(runtime: Runtime, workspace: str, name: str, local_time: str) -> int:
    """Active since yesterday, due today at `local_time`."""
    async with runtime.db.session() as session:
        campaign = Campaign(workspace_id=workspace, name=name, pack="going-first", state="active",
                            weekday=runtime.services.clock.now().weekday(), local_time=local_time,
                            created_at=runtime.services.clock.now() - timedelta(days=1))
        session.add(campaign)
        await session.flush()
        assert campaign.id is not None
        session.add(CampaignSchedule(campaign_id=campaign.id, activated_at=campaign.created_at))
        return campaign.id


async def test_profiles_are_asked_for_when_stale_not_on_every_tick(runtime: Runtime, clock: FixedClock) -> None:
    platform = CountingPlatform()
    runtime.services.platforms.register(platform)
    world = await make_world(runtime, {"ana": "UTC", "ben": "UTC"}, work_start="00:00", work_end="23:59")
    platform.profiles["ana"] = Profile("Ana", tz="Asia/Kolkata")
    await plan_campaign(runtime.services, await world.campaign("First", weekday=1, local_time="11:00"))
    assert sorted(platform.asked) == ["ana", "ben"]
    async with runtime.db.session() as session:
        ana = await session.get(Person, world.people["ana"])
        assert ana is not None and ana.tz == "Asia/Kolkata"  # the profile's zone was taken

    await plan_campaign(runtime.services, await world.campaign("Second", weekday=1, local_time="11:00"))
    assert sorted(platform.asked) == ["ana", "ben"]  # checked an hour ago: not asked again

    clock.set(clock.now() + timedelta(days=7))
    await plan_campaign(runtime.services, await world.campaign("Third", weekday=1, local_time="23:00"))
    assert sorted(platform.asked) == ["ana", "ana", "ben", "ben"]  # a week later: asked again


async def test_at_most_a_budget_of_profiles_is_asked_for_per_tick(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = CountingPlatform()
    runtime.services.platforms.register(platform)
    monkeypatch.setattr(ticks, "PROFILE_BUDGET", 3)
    world = await make_world(runtime, {f"p{n}": "UTC" for n in range(5)}, work_start="00:00", work_end="23:59")
    report = await plan_campaign(runtime.services, await world.campaign(weekday=1, local_time="11:00"))
    assert report.planned == 5 and len(platform.asked) == 3  # everyone planned; the rest asked next time


async def test_a_campaign_is_committed_in_chunks_so_its_first_nudges_can_leave_early(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = CountingPlatform()
    runtime.services.platforms.register(platform)
    monkeypatch.setattr(ticks, "CHUNK", 2)
    world = await make_world(runtime, {n: "UTC" for n in ("ana", "ben", "chitra", "kenji")},
                             work_start="00:00", work_end="23:59")
    committed: list[int] = []
    ask = platform.fetch_profile

    async def profile_while_planning(workspace_id: str, user_id: str) -> Profile | None:
        async with runtime.db.session() as session:  # what another replica's worker would see now
            committed.append(int((await session.exec(select(func.count()).select_from(Nudge))).one()))
        return await ask(workspace_id, user_id)

    monkeypatch.setattr(platform, "fetch_profile", profile_while_planning)
    assert (await plan_campaign(runtime.services, await world.campaign(weekday=1, local_time="11:00"))).planned == 4
    assert committed == [0, 0, 2, 2]  # the second chunk's look-ups ran after the first chunk was committed


@dataclass
class StalledPlatform(RecordingPlatform):
    """DMs to one workspace wait until a DM to another one has gone out."""

    stalled: str = ""
    released: asyncio.Event = field(default_factory=asyncio.Event)
    order: list[str] = field(default_factory=list)

    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        if workspace_id == self.stalled:
            await self.released.wait()
        else:
            self.released.set()
        self.order.append(workspace_id)
        return await super().send_dm(workspace_id, user_id, message)


async def test_workspaces_are_delivered_to_at_once_so_a_stalled_one_holds_nobody_back(runtime: Runtime) -> None:
    platform = StalledPlatform(stalled="local:acme")
    runtime.services.platforms.register(platform)
    world = await make_world(runtime, {"ana": "UTC", "ben": "UTC"}, work_start="00:00", work_end="23:59")
    async with runtime.db.session() as session:
        session.add(Workspace(id=OTHER, platform="local", name="Globex"))
        await session.flush()
        leader = Person(workspace_id=OTHER, platform_user_id="gus", tz="UTC", work_start="00:00", work_end="23:59")
        session.add(leader)
        await session.flush()
        session.add(Team(workspace_id=OTHER, name="gus's team", leader_id=leader.id, channel_id="C-gus"))
    await plan_campaign(runtime.services, await campaign_in(runtime, "local:acme", "Acme weekly", "08:00"))
    await plan_campaign(runtime.services, await campaign_in(runtime, OTHER, "Globex weekly", "09:00"))
    # acme's nudges are the oldest; before, the one worker sent them first and waited on them forever
    result = await asyncio.wait_for(DeliveryWorker(runtime.services, Policy(grace_hours=24)).run_once(), timeout=60)
    assert result.delivered == 3
    assert platform.order == [OTHER, "local:acme", "local:acme"]


@dataclass
class HeldPlatform(RecordingPlatform):
    """DMs to one workspace wait until the test lets them go; every other DM is announced."""

    held: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)
    sent_elsewhere: asyncio.Queue[str] = field(default_factory=asyncio.Queue)

    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        if workspace_id == self.held:
            await self.release.wait()
        sent = await super().send_dm(workspace_id, user_id, message)
        if workspace_id != self.held:
            self.sent_elsewhere.put_nowait(user_id)
        return sent


async def add_leader(runtime: Runtime, workspace: str, user: str) -> None:
    async with runtime.db.session() as session:
        leader = Person(workspace_id=workspace, platform_user_id=user, tz="UTC", work_start="00:00", work_end="23:59")
        session.add(leader)
        await session.flush()
        session.add(Team(workspace_id=workspace, name=f"{user}'s team", leader_id=leader.id, channel_id=f"C-{user}"))


async def test_a_running_worker_keeps_delivering_to_others_while_one_workspace_is_held(runtime: Runtime) -> None:
    """Lanes are independent: a nudge that comes due in one workspace goes out while another
    workspace's sends are still waiting (before, every lane waited for the slowest one)."""
    platform = HeldPlatform(held="local:acme")
    runtime.services.platforms.register(platform)
    await make_world(runtime, {"ana": "UTC"}, work_start="00:00", work_end="23:59")
    async with runtime.db.session() as session:
        session.add(Workspace(id=OTHER, platform="local", name="Globex"))
    await add_leader(runtime, OTHER, "gus")
    await plan_campaign(runtime.services, await campaign_in(runtime, "local:acme", "Acme weekly", "08:00"))
    await plan_campaign(runtime.services, await campaign_in(runtime, OTHER, "Globex weekly", "09:00"))
    worker = DeliveryWorker(runtime.services, Policy(grace_hours=24), interval=0.05)
    worker.start()
    try:
        assert await asyncio.wait_for(platform.sent_elsewhere.get(), timeout=60) == "gus"
        await add_leader(runtime, OTHER, "hal")  # a nudge that comes due while acme is still held
        await plan_campaign(runtime.services, await campaign_in(runtime, OTHER, "Globex daily", "09:00"))
        assert await asyncio.wait_for(platform.sent_elsewhere.get(), timeout=60) == "hal"
    finally:
        platform.release.set()
        await worker.stop()
    async with runtime.db.session() as session:
        states = (await session.exec(select(Nudge.state).where(Nudge.workspace_id == "local:acme"))).all()
    assert states == ["sent"]  # the held send finished once let go
