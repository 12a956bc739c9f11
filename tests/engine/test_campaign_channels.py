"""A campaign's team channel per leader is where that leader's share form points."""
from __future__ import annotations

import pytest

from bot.campaigns.service import save
from bot.campaigns.spec import CampaignSpec, InvalidCampaign
from bot.demo import DEMO_WORKSPACE, DemoIds
from bot.core import events
from bot.runtime import Runtime
from storage.repositories.people import ensure_person
from tests.support.recording import RecordingPlatform


async def test_a_campaign_channel_becomes_the_leaders_team(runtime: Runtime, platform: RecordingPlatform,
                                                           demo: DemoIds) -> None:
    async with runtime.db.session() as session:
        await ensure_person(session, DEMO_WORKSPACE, "kim", "Kim Park")
    spec = CampaignSpec(name="Ops", pack="lighthouse", audience_kind="leaders", audience=["kim"],
                        team_channels={"kim": "ops-floor"})
    await save(runtime.services, DEMO_WORKSPACE, spec)
    await runtime.engine.handle(events.CommandReceived(DEMO_WORKSPACE, "kim", "share"))
    channel = next(f for f in platform.last("form").form.fields if f.name == "channel")
    assert channel.options == (("ops-floor", "ops-floor"),) and channel.value == "ops-floor"


async def test_a_channel_for_nobody_is_a_validation_error(runtime: Runtime, platform: RecordingPlatform,
                                                          demo: DemoIds) -> None:
    spec = CampaignSpec(name="Ops", pack="lighthouse", audience_kind="leaders", audience=["alex"],
                        team_channels={"ghost": "ops-floor"})
    with pytest.raises(InvalidCampaign, match="team_channels.ghost"):
        await save(runtime.services, DEMO_WORKSPACE, spec)
