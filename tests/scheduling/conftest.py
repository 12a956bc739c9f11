"""Fixtures for scheduling: a workspace with leaders in several zones, campaigns, platform doubles
that remember markers (like Slack's message metadata) or crash mid-send."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.core.messages import Message, Sent
from bot.runtime import Runtime, build_runtime
from storage.db import Database
from storage.tables import Campaign, Person, Team, Workspace
from storage.tables.scheduling import CampaignSchedule
from tests.support.recording import Delivery, RecordingPlatform

WS = "local:acme"
ZONES = {"ana": "Europe/Berlin", "ben": "America/New_York", "chitra": "Asia/Kolkata", "kenji": "Asia/Tokyo"}


class Crash(BaseException):
    """Stands in for kill -9: nothing after the raise runs, not even except-Exception handlers."""


@dataclass
class MarkingPlatform(RecordingPlatform):
    """Tags each DM with a marker and finds it again, as Slack does with message metadata."""

    markers: dict[str, Sent] = field(default_factory=dict)
    crash_after_send: bool = False
    crash_before_send: bool = False

    async def send_dm_marked(self, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        if self.crash_before_send:
            self.crash_before_send = False
            raise Crash()
        sent = await self.send_dm(workspace_id, user_id, message)
        self.markers[marker] = sent
        if self.crash_after_send:
            self.crash_after_send = False
            raise Crash()
        return sent

    async def find_sent(self, workspace_id: str, user_id: str, marker: str) -> Sent | None:
        return self.markers.get(marker)


@pytest.fixture
def marking(runtime: Runtime) -> MarkingPlatform:
    recorder = MarkingPlatform()
    runtime.services.platforms.register(recorder)
    return recorder


@dataclass
class World:
    runtime: Runtime
    people: dict[str, int] = field(default_factory=dict)

    async def campaign(self, name: str = "Weekly", state: str = "active", **fields: Any) -> int:
        fields.setdefault("audience_kind", "workspace")
        async with self.runtime.db.session() as session:
            campaign = Campaign(workspace_id=WS, name=name, pack="going-first", state=state, **fields)
            session.add(campaign)
            await session.flush()
            assert campaign.id is not None
            session.add(CampaignSchedule(campaign_id=campaign.id, activated_at=self.runtime.services.clock.now()))
            return campaign.id


async def make_world(runtime: Runtime, zones: dict[str, str] = ZONES, **person: Any) -> World:
    world = World(runtime)
    async with runtime.db.session() as session:
        session.add(Workspace(id=WS, platform="local", name="Acme"))
        await session.flush()
        for user_id, tz in zones.items():
            leader = Person(workspace_id=WS, platform_user_id=user_id, display_name=user_id.title(), tz=tz, **person)
            session.add(leader)
            await session.flush()
            assert leader.id is not None
            session.add(Team(workspace_id=WS, name=f"{user_id}'s team", leader_id=leader.id, channel_id=f"C-{user_id}"))
            world.people[user_id] = leader.id
    return world


@pytest.fixture
async def world(runtime: Runtime) -> World:
    return await make_world(runtime)


def restarted(runtime: Runtime, clock: FixedClock, *platforms: object) -> Runtime:
    """A second process on the same database: new engine and pool, same clock."""
    again = build_runtime(Settings(GOFIRST_DATABASE_URL=runtime.db.url), clock=clock, db=Database(runtime.db.url))
    for p in platforms:
        again.services.platforms.register(p)  # type: ignore[arg-type]
    return again


def dms(platform: RecordingPlatform) -> list[Delivery]:
    return platform.of_kind("dm")


def utc(*args: int) -> datetime:
    from datetime import timezone
    return datetime(*args, tzinfo=timezone.utc)


__all__ = ["Crash", "MarkingPlatform", "World", "date", "dms", "make_world", "restarted", "utc"]
